// A throwaway PostgreSQL server: initdb into a temporary directory, listening only on a private
// unix socket, removed with its data when the object goes away (also after Ctrl-C, by unwinding).
#pragma once

#include <memory>
#include <string>

#include "pg/conninfo.hpp"
#include "util/temp_dir.hpp"

namespace migsafe::pg {

// A running throwaway server.
class EphemeralCluster {
 public:
  // Initialises and starts a server from the newest installed PostgreSQL. As root, the server runs
  // as the `postgres` user. Throws an error saying what failed (initdb's or the server's log).
  EphemeralCluster();
  ~EphemeralCluster();
  EphemeralCluster(const EphemeralCluster&) = delete;
  EphemeralCluster& operator=(const EphemeralCluster&) = delete;

  // How to reach database `dbname` (superuser `postgres`, no password).
  ConnInfo conninfo(const std::string& dbname = "postgres") const;
  // The directory holding the server's socket.
  std::string socket_dir() const { return dir_.path().string(); }
  // The port number naming the socket.
  int port() const { return port_; }
  // Stops the server now (fast shutdown); the destructor does it otherwise.
  void stop();
  // Starts it again after stop() (same directory, socket and port).
  void start();

 private:
  util::TempDir dir_;
  std::string bin_dir_;
  std::string run_as_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace migsafe::pg
