// GoTrue's `auth` schema as its migrations (supabase/auth, migrations/*.up.sql, through 2026) leave
// it: the tables real projects' triggers, seeds and tests touch, with every column and default, the
// JWT helper functions reading the claims PostgREST sets, and Supabase's ownership and grants.
// Written from those facts; GoTrue's SSO/SAML, OAuth-server and WebAuthn tables are left out.
#include "pg/supabase_shim_parts.hpp"

namespace migsafe::pg::shim {
namespace {

const char* kTypes = R"SQL(
CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_admin;
COMMENT ON SCHEMA auth IS 'migsafe supabase shim';
DO $shim$
BEGIN
  IF to_regtype('auth.aal_level') IS NULL THEN CREATE TYPE auth.aal_level AS ENUM ('aal1', 'aal2', 'aal3'); END IF;
  IF to_regtype('auth.code_challenge_method') IS NULL THEN CREATE TYPE auth.code_challenge_method AS ENUM ('s256', 'plain'); END IF;
  IF to_regtype('auth.factor_status') IS NULL THEN CREATE TYPE auth.factor_status AS ENUM ('unverified', 'verified'); END IF;
  IF to_regtype('auth.factor_type') IS NULL THEN CREATE TYPE auth.factor_type AS ENUM ('totp', 'webauthn', 'phone'); END IF;
  IF to_regtype('auth.one_time_token_type') IS NULL THEN
    CREATE TYPE auth.one_time_token_type AS ENUM ('confirmation_token', 'reauthentication_token', 'recovery_token',
      'email_change_token_new', 'email_change_token_current', 'phone_change_token');
  END IF;
END
$shim$;
)SQL";

const Table kUsers = {
    "auth.users",
    {{"instance_id", "uuid"},
     {"id", "uuid NOT NULL"},
     {"aud", "varchar(255)"},
     {"role", "varchar(255)"},
     {"email", "varchar(255)"},
     {"encrypted_password", "varchar(255)"},
     {"email_confirmed_at", "timestamptz"},
     {"invited_at", "timestamptz"},
     {"confirmation_token", "varchar(255)"},
     {"confirmation_sent_at", "timestamptz"},
     {"recovery_token", "varchar(255)"},
     {"recovery_sent_at", "timestamptz"},
     {"email_change_token_new", "varchar(255)"},
     {"email_change", "varchar(255)"},
     {"email_change_sent_at", "timestamptz"},
     {"last_sign_in_at", "timestamptz"},
     {"raw_app_meta_data", "jsonb"},
     {"raw_user_meta_data", "jsonb"},
     {"is_super_admin", "boolean"},
     {"created_at", "timestamptz"},
     {"updated_at", "timestamptz"},
     {"phone", "text DEFAULT NULL::varchar"},
     {"phone_confirmed_at", "timestamptz"},
     {"phone_change", "text DEFAULT ''::varchar"},
     {"phone_change_token", "varchar(255) DEFAULT ''::varchar"},
     {"phone_change_sent_at", "timestamptz"},
     {"confirmed_at",
      "timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED"},
     {"email_change_token_current", "varchar(255) DEFAULT ''::varchar"},
     {"email_change_confirm_status", "smallint DEFAULT 0"},
     {"banned_until", "timestamptz"},
     {"reauthentication_token", "varchar(255) DEFAULT ''::varchar"},
     {"reauthentication_sent_at", "timestamptz"},
     {"is_sso_user", "boolean NOT NULL DEFAULT false"},
     {"deleted_at", "timestamptz"},
     {"is_anonymous", "boolean NOT NULL DEFAULT false"}},
    {{"users_pkey", "PRIMARY KEY (id)"},
     {"users_phone_key", "UNIQUE (phone)"},
     {"users_email_change_confirm_status_check",
      "CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2)"}}};

const Table kSessions = {"auth.sessions",
                         {{"id", "uuid NOT NULL"},
                          {"user_id", "uuid NOT NULL"},
                          {"created_at", "timestamptz"},
                          {"updated_at", "timestamptz"},
                          {"factor_id", "uuid"},
                          {"aal", "auth.aal_level"},
                          {"not_after", "timestamptz"},
                          {"refreshed_at", "timestamp"},
                          {"user_agent", "text"},
                          {"ip", "inet"},
                          {"tag", "text"},
                          {"oauth_client_id", "uuid"},
                          {"refresh_token_hmac_key", "text"},
                          {"refresh_token_counter", "bigint"},
                          {"scopes", "text"}},
                         {{"sessions_pkey", "PRIMARY KEY (id)"},
                          {"sessions_user_id_fkey",
                           "FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE"},
                          {"sessions_scopes_length", "CHECK (char_length(scopes) <= 4096)"}}};

const Table kRefreshTokens = {
    "auth.refresh_tokens",
    {{"instance_id", "uuid"},
     {"id", "bigserial NOT NULL"},
     {"token", "varchar(255)"},
     {"user_id", "varchar(255)"},
     {"revoked", "boolean"},
     {"created_at", "timestamptz"},
     {"updated_at", "timestamptz"},
     {"parent", "varchar(255)"},
     {"session_id", "uuid"}},
    {{"refresh_tokens_pkey", "PRIMARY KEY (id)"},
     {"refresh_tokens_token_unique", "UNIQUE (token)"},
     {"refresh_tokens_session_id_fkey",
      "FOREIGN KEY (session_id) REFERENCES auth.sessions (id) ON DELETE CASCADE"}}};

const Table kIdentities = {
    "auth.identities",
    {{"provider_id", "text NOT NULL"},
     {"user_id", "uuid NOT NULL"},
     {"identity_data", "jsonb NOT NULL"},
     {"provider", "text NOT NULL"},
     {"last_sign_in_at", "timestamptz"},
     {"created_at", "timestamptz"},
     {"updated_at", "timestamptz"},
     {"email", "text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED"},
     {"id", "uuid NOT NULL DEFAULT gen_random_uuid()"}},
    {{"identities_pkey", "PRIMARY KEY (id)"},
     {"identities_provider_id_provider_unique", "UNIQUE (provider_id, provider)"},
     {"identities_user_id_fkey",
      "FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE"}}};

const Table kMfaFactors = {
    "auth.mfa_factors",
    {{"id", "uuid NOT NULL"},
     {"user_id", "uuid NOT NULL"},
     {"friendly_name", "text"},
     {"factor_type", "auth.factor_type NOT NULL"},
     {"status", "auth.factor_status NOT NULL"},
     {"created_at", "timestamptz NOT NULL"},
     {"updated_at", "timestamptz NOT NULL"},
     {"secret", "text"},
     {"phone", "text"},
     {"last_challenged_at", "timestamptz"},
     {"web_authn_credential", "jsonb"},
     {"web_authn_aaguid", "uuid"},
     {"last_webauthn_challenge_data", "jsonb"}},
    {{"mfa_factors_pkey", "PRIMARY KEY (id)"},
     {"mfa_factors_last_challenged_at_key", "UNIQUE (last_challenged_at)"},
     {"mfa_factors_user_id_fkey",
      "FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE"}}};

const Table kMfaChallenges = {
    "auth.mfa_challenges",
    {{"id", "uuid NOT NULL"},
     {"factor_id", "uuid NOT NULL"},
     {"created_at", "timestamptz NOT NULL"},
     {"verified_at", "timestamptz"},
     {"ip_address", "inet NOT NULL"},
     {"otp_code", "text"},
     {"web_authn_session_data", "jsonb"}},
    {{"mfa_challenges_pkey", "PRIMARY KEY (id)"},
     {"mfa_challenges_auth_factor_id_fkey",
      "FOREIGN KEY (factor_id) REFERENCES auth.mfa_factors (id) ON DELETE CASCADE"}}};

const Table kMfaAmrClaims = {
    "auth.mfa_amr_claims",
    {{"session_id", "uuid NOT NULL"},
     {"created_at", "timestamptz NOT NULL"},
     {"updated_at", "timestamptz NOT NULL"},
     {"authentication_method", "text NOT NULL"},
     {"id", "uuid NOT NULL"}},
    {{"amr_id_pk", "PRIMARY KEY (id)"},
     {"mfa_amr_claims_session_id_authentication_method_pkey",
      "UNIQUE (session_id, authentication_method)"},
     {"mfa_amr_claims_session_id_fkey",
      "FOREIGN KEY (session_id) REFERENCES auth.sessions (id) ON DELETE CASCADE"}}};

const Table kOneTimeTokens = {
    "auth.one_time_tokens",
    {{"id", "uuid NOT NULL"},
     {"user_id", "uuid NOT NULL"},
     {"token_type", "auth.one_time_token_type NOT NULL"},
     {"token_hash", "text NOT NULL"},
     {"relates_to", "text NOT NULL"},
     {"created_at", "timestamp NOT NULL DEFAULT now()"},
     {"updated_at", "timestamp NOT NULL DEFAULT now()"}},
    {{"one_time_tokens_pkey", "PRIMARY KEY (id)"},
     {"one_time_tokens_token_hash_check", "CHECK (char_length(token_hash) > 0)"},
     {"one_time_tokens_user_id_fkey",
      "FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE"}}};

const Table kFlowState = {"auth.flow_state",
                          {{"id", "uuid NOT NULL"},
                           {"user_id", "uuid"},
                           {"auth_code", "text"},
                           {"code_challenge_method", "auth.code_challenge_method"},
                           {"code_challenge", "text"},
                           {"provider_type", "text NOT NULL"},
                           {"provider_access_token", "text"},
                           {"provider_refresh_token", "text"},
                           {"created_at", "timestamptz"},
                           {"updated_at", "timestamptz"},
                           {"authentication_method", "text NOT NULL"},
                           {"auth_code_issued_at", "timestamptz"},
                           {"invite_token", "text"},
                           {"referrer", "text"},
                           {"oauth_client_state_id", "uuid"},
                           {"linking_target_id", "uuid"},
                           {"email_optional", "boolean NOT NULL DEFAULT false"}},
                          {{"flow_state_pkey", "PRIMARY KEY (id)"}}};

const Table kInstances = {"auth.instances",
                          {{"id", "uuid NOT NULL"},
                           {"uuid", "uuid"},
                           {"raw_base_config", "text"},
                           {"created_at", "timestamptz"},
                           {"updated_at", "timestamptz"}},
                          {{"instances_pkey", "PRIMARY KEY (id)"}}};

const Table kAuditLogEntries = {"auth.audit_log_entries",
                                {{"instance_id", "uuid"},
                                 {"id", "uuid NOT NULL"},
                                 {"payload", "json"},
                                 {"created_at", "timestamptz"},
                                 {"ip_address", "varchar(64) NOT NULL DEFAULT ''::varchar"}},
                                {{"audit_log_entries_pkey", "PRIMARY KEY (id)"}}};

const Table kSchemaMigrations = {"auth.schema_migrations",
                                 {{"version", "varchar(255) NOT NULL"}},
                                 {{"schema_migrations_pkey", "PRIMARY KEY (version)"}}};

const char* kIndexes = R"SQL(
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON auth.users (email) WHERE is_sso_user = false;
CREATE UNIQUE INDEX IF NOT EXISTS confirmation_token_idx ON auth.users (confirmation_token) WHERE confirmation_token::text !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS recovery_token_idx ON auth.users (recovery_token) WHERE recovery_token::text !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS email_change_token_current_idx ON auth.users (email_change_token_current) WHERE email_change_token_current::text !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS email_change_token_new_idx ON auth.users (email_change_token_new) WHERE email_change_token_new::text !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS reauthentication_token_idx ON auth.users (reauthentication_token) WHERE reauthentication_token::text !~ '^[0-9 ]*$';
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);
CREATE INDEX IF NOT EXISTS users_instance_id_email_idx ON auth.users (instance_id, lower(email::text));
CREATE INDEX IF NOT EXISTS users_is_anonymous_idx ON auth.users (is_anonymous);
CREATE INDEX IF NOT EXISTS identities_email_idx ON auth.identities (email text_pattern_ops);
CREATE INDEX IF NOT EXISTS identities_user_id_idx ON auth.identities (user_id);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON auth.sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_not_after_idx ON auth.sessions (not_after DESC);
CREATE INDEX IF NOT EXISTS user_id_created_at_idx ON auth.sessions (user_id, created_at);
CREATE INDEX IF NOT EXISTS refresh_tokens_instance_id_idx ON auth.refresh_tokens (instance_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_instance_id_user_id_idx ON auth.refresh_tokens (instance_id, user_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_parent_idx ON auth.refresh_tokens (parent);
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_revoked_idx ON auth.refresh_tokens (session_id, revoked);
CREATE INDEX IF NOT EXISTS refresh_tokens_updated_at_idx ON auth.refresh_tokens (updated_at DESC);
CREATE INDEX IF NOT EXISTS mfa_factors_user_id_idx ON auth.mfa_factors (user_id);
CREATE INDEX IF NOT EXISTS factor_id_created_at_idx ON auth.mfa_factors (user_id, created_at);
CREATE UNIQUE INDEX IF NOT EXISTS mfa_factors_user_friendly_name_unique ON auth.mfa_factors (friendly_name, user_id) WHERE trim(friendly_name) <> '';
CREATE UNIQUE INDEX IF NOT EXISTS unique_phone_factor_per_user ON auth.mfa_factors (user_id, phone);
CREATE INDEX IF NOT EXISTS mfa_challenge_created_at_idx ON auth.mfa_challenges (created_at DESC);
CREATE UNIQUE INDEX IF NOT EXISTS one_time_tokens_user_id_token_type_key ON auth.one_time_tokens (user_id, token_type);
CREATE INDEX IF NOT EXISTS one_time_tokens_token_hash_hash_idx ON auth.one_time_tokens USING hash (token_hash);
CREATE INDEX IF NOT EXISTS one_time_tokens_relates_to_hash_idx ON auth.one_time_tokens USING hash (relates_to);
CREATE INDEX IF NOT EXISTS flow_state_created_at_idx ON auth.flow_state (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_auth_code ON auth.flow_state (auth_code);
CREATE INDEX IF NOT EXISTS idx_user_id_auth_method ON auth.flow_state (user_id, authentication_method);
CREATE INDEX IF NOT EXISTS audit_logs_instance_id_idx ON auth.audit_log_entries (instance_id);
)SQL";

// As GoTrue defines them: the single-claim settings of old PostgREST first, then the claims JSON.
const char* kFunctions = R"SQL(
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
CREATE OR REPLACE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
)SQL";

const char* const kTables[] = {"users",          "sessions",          "refresh_tokens",
                               "identities",     "mfa_factors",       "mfa_challenges",
                               "mfa_amr_claims", "one_time_tokens",   "flow_state",
                               "instances",      "audit_log_entries", "schema_migrations"};

// GoTrue (as supabase_auth_admin) owns the schema's objects and turned RLS on in 2024; the project
// owner and the dashboard may do anything; the API roles may only use the schema and call the
// functions.
std::string ownership_and_grants_sql() {
  std::string sql = "GRANT ALL ON SCHEMA auth TO supabase_auth_admin, dashboard_user;\n";
  for (const char* t : kTables) {
    const std::string name = std::string("auth.") + t;
    sql += "ALTER TABLE " + name + " OWNER TO supabase_auth_admin;\nALTER TABLE " + name +
           " ENABLE ROW LEVEL SECURITY;\n";
  }
  sql += "ALTER SEQUENCE auth.refresh_tokens_id_seq OWNER TO supabase_auth_admin;\n";
  for (const char* f : {"uid()", "role()", "email()", "jwt()"}) {
    sql += std::string("ALTER FUNCTION auth.") + f + " OWNER TO supabase_auth_admin;\n";
  }
  sql += R"SQL(
GRANT ALL ON ALL TABLES IN SCHEMA auth TO CURRENT_USER, dashboard_user;
GRANT ALL ON ALL SEQUENCES IN SCHEMA auth TO CURRENT_USER, dashboard_user;
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO CURRENT_USER, dashboard_user;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt() TO anon, authenticated, service_role;
)SQL";
  return sql;
}

}  // namespace

std::string auth_sql() {
  std::string sql = kTypes;
  for (const Table* t : {&kUsers, &kSessions, &kRefreshTokens, &kIdentities, &kMfaFactors,
                         &kMfaChallenges, &kMfaAmrClaims, &kOneTimeTokens, &kFlowState, &kInstances,
                         &kAuditLogEntries, &kSchemaMigrations}) {
    sql += table_sql(*t);
  }
  return sql + kIndexes + kFunctions + ownership_and_grants_sql();
}

}  // namespace migsafe::pg::shim
