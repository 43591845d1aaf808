// A minimal emulation of a local Supabase database on plain PostgreSQL: the API roles, the `auth`
// schema with `auth.users` and the JWT helper functions, the `extensions` schema, Storage's
// `storage.buckets`/`storage.objects`, the `supabase_realtime` publication and Supabase's default
// grants, so migrations, pgTAP tests and RLS checks written for Supabase run unchanged.
#pragma once

namespace migsafe::pg {

class Session;

// Installs the emulation. Refuses (Error, exit 2) when the database already has an `auth` schema
// that migsafe did not create (a real Supabase). Installing twice is harmless.
void install_supabase_shim(Session& session);

// True when `auth` exists and was created by the shim.
bool has_supabase_shim(Session& session);

}  // namespace migsafe::pg
