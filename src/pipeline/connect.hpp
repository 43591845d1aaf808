// Opening the target: sessions with clear errors (exit 4 when unreachable), and the run lock.
#pragma once

#include <memory>
#include <string>

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// Opens a session to `target`; unreachable → Error(Exit::refused) naming host, port and libpq's
// reason, without the password.
std::unique_ptr<pg::Session> open_session(const pg::ConnInfo& target, const std::string& application_name);

// Opens context.control (and context.work when `with_work`), fills the report's database fields.
void connect(Context& context, bool with_work);

// Takes the run lock on context.control, waiting up to database.lock_wait; held → Error(Exit::refused)
// naming the holder.
void take_run_lock(Context& context);

}  // namespace migsafe::pipeline
