// The command line: parses arguments, runs one command, turns errors into the contract's exit codes.
#pragma once

namespace migsafe::cli {

// The whole program; returns the process exit code.
int main(int argc, char** argv);

}  // namespace migsafe::cli
