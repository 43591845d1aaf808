#include "cli/main.hpp"

int main(int argc, char** argv) { return migsafe::cli::main(argc, argv); }
