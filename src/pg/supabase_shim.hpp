// An emulation of a new Supabase project's database on plain PostgreSQL, read from Supabase's own
// sources: its roles and their attributes, the `extensions` schema (uuid-ossp, pgcrypto,
// pg_stat_statements) on the database's search_path, GoTrue's `auth` tables and JWT helpers,
// Storage's buckets/objects and path helpers, the `supabase_realtime` publication and the default
// privileges on `public`, so migrations, seeds, pgTAP tests and RLS checks written for Supabase run
// unchanged. Needs a superuser (roles with BYPASSRLS/REPLICATION); docs/supabase-emulation.md.
#pragma once

namespace migsafe::pg {

class Session;

// Installs the emulation. Refuses (Error, exit 2) when the database already has an `auth` schema
// that migsafe did not create (a real Supabase). Installing twice is harmless.
void install_supabase_shim(Session& session);

// True when `auth` exists and was created by the shim.
bool has_supabase_shim(Session& session);

}  // namespace migsafe::pg
