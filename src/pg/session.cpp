#include "pg/session.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <libpq-fe.h>

#include <pqxx/pqxx>

#include "util/interrupt.hpp"

namespace migsafe::pg {
namespace {

// libpqxx 6.4 keeps the libpq handle private; its documented extension point, the connection
// policy, is handed the handle, so we keep it for the few things pqxx 6 cannot do: error positions
// and the other diagnostic fields, and query cancellation from a signal handler.
class CapturingPolicy : public pqxx::connect_direct {
 public:
  explicit CapturingPolicy(const std::string& options) : pqxx::connect_direct(options) {}
  handle do_startconnect(handle orig) override {
    handle h = pqxx::connect_direct::do_startconnect(orig);
    last_handle = h;
    return h;
  }
  static thread_local PGconn* last_handle;
};
thread_local PGconn* CapturingPolicy::last_handle = nullptr;

using Connection = pqxx::basic_connection_base<CapturingPolicy>;

// Keeps server notices (e.g. "relation already exists, skipping") off the user's terminal.
class QuietNotices : public pqxx::errorhandler {
 public:
  explicit QuietNotices(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
  bool operator()(const char[]) noexcept override { return false; }
};

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value ? value : "";
}

// Not an SQL error: the server or the network went away.
void mark_connection_lost(SqlError& e) {
  const std::string prefix = "connection to the server lost: ";
  if (e.message.rfind(prefix, 0) == 0) return;
  if (e.sqlstate.empty()) e.sqlstate = "08006";
  e.message = prefix + e.message;
}

SqlError error_from_result(const PGresult* result, PGconn* conn) {
  SqlError e;
  e.sqlstate = field(result, PG_DIAG_SQLSTATE);
  e.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  e.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  e.hint = field(result, PG_DIAG_MESSAGE_HINT);
  e.context = field(result, PG_DIAG_CONTEXT);
  std::string position = field(result, PG_DIAG_STATEMENT_POSITION);
  if (!position.empty()) e.position = std::stoi(position);
  if (e.message.empty()) {
    e.message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    while (!e.message.empty() && e.message.back() == '\n') e.message.pop_back();
  }
  if (PQstatus(conn) == CONNECTION_BAD) mark_connection_lost(e);
  return e;
}

SqlError error_from_pqxx(const pqxx::sql_error& error) {
  SqlError e;
  e.sqlstate = error.sqlstate();
  e.message = error.what();
  while (!e.message.empty() && e.message.back() == '\n') e.message.pop_back();
  if (e.message.rfind("ERROR:  ", 0) == 0) e.message.erase(0, 8);
  return e;
}

Rows rows_from_result(const PGresult* result) {
  Rows out;
  for (int c = 0; c < PQnfields(result); ++c) out.columns.push_back(PQfname(result, c));
  for (int r = 0; r < PQntuples(result); ++r) {
    Row row;
    for (int c = 0; c < PQnfields(result); ++c) {
      row.push_back(PQgetisnull(result, r, c) ? std::nullopt : std::optional<std::string>(PQgetvalue(result, r, c)));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

void cancel_from_signal(void* arg) {
  char errbuf[256];
  PQcancel(static_cast<PGcancel*>(arg), errbuf, sizeof errbuf);
}

// $1..$n as libpq takes them: NULL for a null parameter.
std::vector<const char*> param_values(const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

struct Session::Impl {
  std::unique_ptr<Connection> connection;
  std::unique_ptr<QuietNotices> notices;
  PGconn* raw = nullptr;
  std::map<std::string, std::string> statements;  // name -> SQL, given to prepare()
  std::set<std::string> live;                     // those the server holds now
  bool live_unknown = false;                      // a DEALLOCATE or DISCARD ran since the server said
};

std::optional<std::string> Rows::scalar() const {
  if (rows.empty() || rows.front().empty()) return std::nullopt;
  return rows.front().front();
}

std::string SqlError::describe() const {
  std::string out = message;
  if (!sqlstate.empty()) out += " (SQLSTATE " + sqlstate + ")";
  if (!detail.empty()) out += "\nDETAIL: " + detail;
  if (!hint.empty()) out += "\nHINT: " + hint;
  return out;
}

QueryError::QueryError(SqlError error)
    : Error(Exit::failed_unrestored, error.describe()), error_(std::move(error)) {}

bool QueryError::connection_lost() const {
  return error_.sqlstate.empty() || error_.sqlstate.rfind("08", 0) == 0 ||
         error_.sqlstate == "57P01" || error_.sqlstate == "57P02" || error_.sqlstate == "57P03";
}

Session::Session(const ConnInfo& target, const std::string& application_name)
    : impl_(std::make_unique<Impl>()) {
  ConnInfo info = target.with("application_name", application_name);
  if (info.get("connect_timeout").empty()) info = info.with("connect_timeout", "10");
  try {
    CapturingPolicy::last_handle = nullptr;
    impl_->connection = std::make_unique<Connection>(info.with_password());
    impl_->raw = CapturingPolicy::last_handle;
  } catch (const pqxx::broken_connection& e) {
    std::string reason = redact_password(e.what(), target.password());
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    throw ConnectError(reason);
  } catch (const pqxx::failure& e) {
    throw ConnectError(redact_password(e.what(), target.password()));
  }
  // A lost connection must fail, never silently reopen (libpqxx 6 deprecates the switch, not the behaviour).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  impl_->connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  impl_->notices = std::make_unique<QuietNotices>(*impl_->connection);
  reset_to_defaults();
}

void Session::reset_to_defaults() {
  std::string sql;
  for (const auto& list : {role_reset_statements(), settings_reset_statements()}) {
    for (const auto& statement : list) sql += (sql.empty() ? "" : "; ") + statement;
  }
  exec(sql);
}

std::vector<std::string> Session::role_reset_statements() const { return {"RESET ROLE", "RESET SESSION AUTHORIZATION"}; }

std::vector<std::string> Session::settings_reset_statements() const {
  std::vector<std::string> out = {"RESET ALL"};
  // If migsafe dies (kill -9), the server notices within a second even mid-query, rolls back and
  // frees the run lock, instead of finishing a long statement for nobody.
  if (server_version_num() >= 140000) out.push_back("SET client_connection_check_interval = '1s'");
  return out;
}

Session::~Session() {
  impl_->notices.reset();
  impl_->connection.reset();
}

Rows Session::query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  const std::vector<const char*> values = param_values(params);
  pqxx::result result;
  try {
    pqxx::nontransaction tx(*impl_->connection);
    result = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
  } catch (const pqxx::sql_error& e) {
    throw QueryError(error_from_pqxx(e));
  } catch (const pqxx::broken_connection& e) {
    throw QueryError(SqlError{"08006", e.what(), "", "", "", 0});
  } catch (const std::exception& e) {  // libpqxx's usage and conversion errors: into the one family
    throw QueryError(SqlError{"XX000", e.what(), "", "", "", 0});
  }
  Rows out;
  for (pqxx::row::size_type c = 0; c < result.columns(); ++c) out.columns.push_back(result.column_name(c));
  for (const auto& row : result) {
    Row r;
    for (const auto& f : row) r.push_back(f.is_null() ? std::nullopt : std::optional<std::string>(f.c_str()));
    out.rows.push_back(std::move(r));
  }
  return out;
}

void Session::exec(const std::string& sql) {
  if (auto error = try_exec(sql)) throw QueryError(*error);
}

std::optional<SqlError> Session::try_exec(const std::string& sql) { return run(sql).error; }

Session::Outcome Session::run(const std::string& sql) {
  Outcome out;
  PGresult* result = PQexec(impl_->raw, sql.c_str());
  if (result == nullptr) {
    out.error = error_from_result(nullptr, impl_->raw);
    return out;
  }
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COPY_IN) {
    PQputCopyEnd(impl_->raw, "COPY FROM STDIN is not supported here");
    PQclear(result);
    result = PQgetResult(impl_->raw);
    status = PQresultStatus(result);
  }
  if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
    out.error = error_from_result(result, impl_->raw);
  } else if (status == PGRES_TUPLES_OK) {
    out.rows = rows_from_result(result);
  }
  PQclear(result);
  while (PGresult* more = PQgetResult(impl_->raw)) PQclear(more);  // drain COPY OUT and the like
  return out;
}

Session::BatchOutcome Session::run_batch(const std::vector<BatchPiece>& pieces) {
  BatchOutcome out;
  if (pieces.empty()) return out;
  PGconn* conn = impl_->raw;
  auto lost = [&] {
    out.error = error_from_result(nullptr, conn);
    out.failed = 0;
    return out;
  };
  if (impl_->live_unknown) {  // which of ours a DEALLOCATE or DISCARD left, before the pipeline
    impl_->live.clear();
    for (const auto& row : query("select name from pg_catalog.pg_prepared_statements").rows) {
      if (row[0] && impl_->statements.count(*row[0])) impl_->live.insert(*row[0]);
    }
    impl_->live_unknown = false;
  }
  // Pipeline mode: every piece is its own extended-protocol query, all sent before the first result
  // is read. Each is parsed on its own when its turn comes, so an error's position counts from its
  // own start and pg_stat_activity shows the statement that runs, not the batch. Everything is
  // sent before the first result is read; while a send waits for room, libpq reads what the server
  // sends meanwhile, so a statement whose rows fill the way back cannot stall it (test: "a statement
  // returning megabytes of rows in a large migration does not stall its batch").
  if (!PQenterPipelineMode(conn)) return lost();
  // A prepared statement not on the server yet is prepared in the same round trip, just before its
  // first use. After a piece that may drop prepared statements, the rest go as plain text.
  std::vector<std::string> queued;   // per query sent: the name it prepares, or "" for a piece
  std::vector<size_t> owner;         // per query sent: the piece it is, or serves
  bool dropped = false;
  size_t pieces_sent = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const BatchPiece& piece = pieces[i];
    const auto values = param_values(piece.params);
    const int count = static_cast<int>(values.size());
    const auto known = piece.prepared ? impl_->statements.find(piece.sql) : impl_->statements.end();
    if (piece.prepared && known == impl_->statements.end()) {
      throw std::logic_error("prepared statement " + piece.sql + " was never given to Session::prepare");
    }
    int sent;
    if (piece.prepared && dropped) {
      sent = PQsendQueryParams(conn, known->second.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0);
    } else if (piece.prepared) {
      if (!impl_->live.count(piece.sql)) {
        if (!PQsendPrepare(conn, piece.sql.c_str(), known->second.c_str(), 0, nullptr)) break;
        impl_->live.insert(piece.sql);  // until a result says otherwise
        queued.push_back(piece.sql);
        owner.push_back(i);
      }
      sent = PQsendQueryPrepared(conn, piece.sql.c_str(), count, values.data(), nullptr, nullptr, 0);
    } else {
      sent = PQsendQueryParams(conn, piece.sql.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0);
    }
    if (!sent) break;
    ++pieces_sent;
    queued.push_back("");
    owner.push_back(i);
    if (piece.drops_prepared) dropped = impl_->live_unknown = true;
  }
  if (pieces_sent < pieces.size()) out.error = error_from_result(nullptr, conn);
  if (!PQpipelineSync(conn) && !out.error) out.error = error_from_result(nullptr, conn);
  size_t index = 0;  // the query sent whose results come now
  bool synced = false;
  while (!synced) {
    PGresult* result = PQgetResult(conn);
    if (result == nullptr) {  // the end of one query's results
      if (PQstatus(conn) == CONNECTION_BAD) break;
      ++index;
      continue;
    }
    const ExecStatusType status = PQresultStatus(result);
    const bool preparing = index < queued.size() && !queued[index].empty();
    if (status == PGRES_PIPELINE_SYNC) {
      synced = true;
    } else if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR ||
               status == PGRES_PIPELINE_ABORTED) {
      if (preparing) impl_->live.erase(queued[index]);
      if (status != PGRES_PIPELINE_ABORTED && !out.error) {
        out.error = error_from_result(result, conn);
        out.failed = index < owner.size() ? owner[index] : pieces.size() - 1;
      }
    } else if (status == PGRES_TUPLES_OK && !preparing && index < owner.size() && pieces[owner[index]].read) {
      out.reads.push_back(rows_from_result(result));
    }
    PQclear(result);
  }
  // A prepare that never got its turn (the connection went) is not on the server either.
  for (size_t k = index; k < queued.size(); ++k) {
    if (!queued[k].empty()) impl_->live.erase(queued[k]);
  }
  // Leaves pipeline mode (it refuses while results are uncollected) for the simple queries after.
  for (int tries = 0; !PQexitPipelineMode(conn) && tries < 1000; ++tries) {
    PGresult* rest = PQgetResult(conn);
    if (rest == nullptr && PQstatus(conn) == CONNECTION_BAD) break;
    PQclear(rest);
  }
  if (!synced && !out.error) return lost();
  // A FATAL error (the backend terminated) arrives before libpq sees the connection close.
  if (out.error && PQstatus(conn) == CONNECTION_BAD) mark_connection_lost(*out.error);
  return out;
}

void Session::prepare(const std::string& name, const std::string& sql) {
  auto [it, added] = impl_->statements.emplace(name, sql);
  if (!added && it->second != sql) throw std::logic_error("prepared statement " + name + " given two texts");
}

std::string Session::quote(const std::string& value) { return impl_->connection->quote(value); }
std::string Session::quote_name(const std::string& name) { return impl_->connection->quote_name(name); }
int Session::server_version_num() const { return PQserverVersion(impl_->raw); }

std::string Session::server_version() const {
  const char* v = PQparameterStatus(impl_->raw, "server_version");
  return v ? v : "";
}

std::string Session::database() const { return PQdb(impl_->raw); }
std::string Session::host() const { return PQhost(impl_->raw) ? PQhost(impl_->raw) : ""; }
std::string Session::port() const { return PQport(impl_->raw) ? PQport(impl_->raw) : ""; }
int Session::backend_pid() const { return PQbackendPID(impl_->raw); }
bool Session::in_transaction() const { return PQtransactionStatus(impl_->raw) != PQTRANS_IDLE; }
bool Session::alive() const { return PQstatus(impl_->raw) == CONNECTION_OK; }

Session::CancelOnInterrupt::CancelOnInterrupt(Session& session) {
  cancel_ = PQgetCancel(session.impl_->raw);
  util::set_cancel_hook(cancel_from_signal, cancel_);
}

Session::CancelOnInterrupt::~CancelOnInterrupt() {
  util::set_cancel_hook(nullptr, nullptr);
  PQfreeCancel(static_cast<PGcancel*>(cancel_));
}

std::string text_array(Session& session, const std::vector<std::string>& values) {
  std::string out = "ARRAY[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + session.quote(values[i]);
  return out + "]::text[]";
}

std::string array_param(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i ? "," : "") + std::string("\"");
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out += "\"";
  }
  return out + "}";
}

}  // namespace migsafe::pg
