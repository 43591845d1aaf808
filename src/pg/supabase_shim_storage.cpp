// Storage's `storage` schema as storage-api's tenant migrations (supabase/storage,
// migrations/tenant, through 0062) leave it for buckets and objects: their columns and defaults,
// the path helpers policies use (foldername, filename, extension), the operation helpers, the
// triggers (bucket name length, updated_at, no direct DELETE), RLS on, and Supabase's grants.
// Left out: search()/list functions, S3 multipart, analytics/vector/iceberg tables.
#include "pg/supabase_shim_parts.hpp"

namespace migsafe::pg::shim {
namespace {

const char* kSchema = R"SQL(
CREATE SCHEMA IF NOT EXISTS storage AUTHORIZATION supabase_admin;
GRANT ALL ON SCHEMA storage TO supabase_storage_admin, dashboard_user;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
DO $shim$
BEGIN
  IF to_regtype('storage.buckettype') IS NULL THEN
    CREATE TYPE storage.buckettype AS ENUM ('STANDARD', 'ANALYTICS', 'VECTOR');
  END IF;
END
$shim$;
)SQL";

const Table kBuckets = {"storage.buckets",
                        {{"id", "text NOT NULL"},
                         {"name", "text NOT NULL"},
                         {"owner", "uuid"},
                         {"created_at", "timestamptz DEFAULT now()"},
                         {"updated_at", "timestamptz DEFAULT now()"},
                         {"public", "boolean DEFAULT false"},
                         {"avif_autodetection", "boolean DEFAULT false"},
                         {"file_size_limit", "bigint"},
                         {"allowed_mime_types", "text[]"},
                         {"owner_id", "text"},
                         {"type", "storage.buckettype NOT NULL DEFAULT 'STANDARD'"},
                         {"versioning_status", "text NOT NULL DEFAULT 'DISABLED'"}},
                        {{"buckets_pkey", "PRIMARY KEY (id)"},
                         {"buckets_versioning_status_check",
                          "CHECK (versioning_status IN ('DISABLED', 'ENABLED', 'SUSPENDED'))"},
                         {"buckets_versioning_standard_only_check",
                          "CHECK (type = 'STANDARD' OR versioning_status = 'DISABLED')"}}};

const Table kObjects = {
    "storage.objects",
    {{"id", "uuid NOT NULL DEFAULT gen_random_uuid()"},
     {"bucket_id", "text"},
     {"name", "text"},
     {"owner", "uuid"},
     {"created_at", "timestamptz DEFAULT now()"},
     {"updated_at", "timestamptz DEFAULT now()"},
     {"last_accessed_at", "timestamptz DEFAULT now()"},
     {"metadata", "jsonb"},
     {"path_tokens", "text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED"},
     {"version", "text"},
     {"owner_id", "text"},
     {"user_metadata", "jsonb"},
     {"archived_at", "timestamptz"},
     {"is_delete_marker", "boolean NOT NULL DEFAULT false"},
     {"is_versioned", "boolean NOT NULL DEFAULT false"}},
    {{"objects_pkey", "PRIMARY KEY (id)"},
     {"objects_bucketId_fkey", "FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id)"}}};

const Table kMigrations = {
    "storage.migrations",
    {{"id", "integer NOT NULL"},
     {"name", "varchar(100) NOT NULL"},
     {"hash", "varchar(40) NOT NULL"},
     {"executed_at", "timestamp DEFAULT CURRENT_TIMESTAMP"}},
    {{"migrations_pkey", "PRIMARY KEY (id)"}, {"migrations_name_key", "UNIQUE (name)"}}};

const char* kIndexes = R"SQL(
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_objects_bucket_id_name ON storage.objects (bucket_id, name COLLATE "C");
CREATE INDEX IF NOT EXISTS idx_objects_bucket_id_name_lower ON storage.objects (bucket_id, lower(name) COLLATE "C");
)SQL";

// Same names, signatures and results as Storage's; the path helpers split on '/'.
const char* kFunctions = R"SQL(
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT parts[1 : array_length(parts, 1) - 1] FROM string_to_array(name, '/') AS parts
$$;
CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT parts[array_length(parts, 1)] FROM string_to_array(name, '/') AS parts
$$;
CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT reverse(split_part(reverse(parts[array_length(parts, 1)]), '.', 1)) FROM string_to_array(name, '/') AS parts
$$;
CREATE OR REPLACE FUNCTION storage.get_size_by_bucket() RETURNS TABLE (size bigint, bucket_id text)
LANGUAGE sql STABLE AS $$
  SELECT sum((o.metadata ->> 'size')::bigint)::bigint, o.bucket_id FROM storage.objects o GROUP BY o.bucket_id
$$;
CREATE OR REPLACE FUNCTION storage.operation() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT current_setting('storage.operation', true)
$$;
CREATE OR REPLACE FUNCTION storage.allow_only_operation(expected_operation text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(expected_operation, '') NOT IN ('', 'storage.')
     AND coalesce(regexp_replace(storage.operation(), '^storage\.', '') = regexp_replace(expected_operation, '^storage\.', ''), false)
$$;
CREATE OR REPLACE FUNCTION storage.allow_any_operation(expected_operations text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM unnest(expected_operations) AS e WHERE storage.allow_only_operation(e))
$$;
CREATE OR REPLACE FUNCTION storage.can_insert_object(bucketid text, name text, owner uuid, metadata jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO storage.objects (bucket_id, name, owner, metadata) VALUES (bucketid, name, owner, metadata);
  -- Storage's way of asking "would RLS allow this?": insert, then undo with a marker error.
  RAISE sqlstate 'PT200' USING message = 'ROLLBACK', detail = 'rollback successful insert';
END
$$;
CREATE OR REPLACE FUNCTION storage.update_updated_at_column() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION storage.enforce_bucket_name_length() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF length(NEW.name) > 100 THEN
    RAISE EXCEPTION 'bucket name "%" is too long (% characters). Max is 100.', NEW.name, length(NEW.name);
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION storage.protect_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' THEN
    RAISE EXCEPTION 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      USING HINT = 'Set storage.allow_delete_query to true to delete anyway (as Supabase''s Storage API does).',
            ERRCODE = '42501';
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER enforce_bucket_name_length_trigger BEFORE INSERT OR UPDATE OF name ON storage.buckets
  FOR EACH ROW EXECUTE FUNCTION storage.enforce_bucket_name_length();
CREATE OR REPLACE TRIGGER update_objects_updated_at BEFORE UPDATE ON storage.objects
  FOR EACH ROW EXECUTE FUNCTION storage.update_updated_at_column();
CREATE OR REPLACE TRIGGER protect_buckets_delete BEFORE DELETE ON storage.buckets
  FOR EACH STATEMENT EXECUTE FUNCTION storage.protect_delete();
CREATE OR REPLACE TRIGGER protect_objects_delete BEFORE DELETE ON storage.objects
  FOR EACH STATEMENT EXECUTE FUNCTION storage.protect_delete();
)SQL";

const char* kOwnershipAndGrants = R"SQL(
ALTER TABLE storage.buckets OWNER TO supabase_storage_admin;
ALTER TABLE storage.objects OWNER TO supabase_storage_admin;
ALTER TABLE storage.migrations OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.foldername(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.filename(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.extension(text) OWNER TO supabase_storage_admin;
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.migrations ENABLE ROW LEVEL SECURITY;
GRANT ALL ON storage.buckets, storage.objects, storage.migrations TO anon, authenticated, service_role;
GRANT ALL ON storage.buckets, storage.objects TO CURRENT_USER WITH GRANT OPTION;
GRANT ALL ON ALL ROUTINES IN SCHEMA storage TO anon, authenticated, service_role, dashboard_user;
GRANT ALL ON ALL SEQUENCES IN SCHEMA storage TO dashboard_user;
)SQL";

}  // namespace

std::string storage_sql() {
  return kSchema + table_sql(kBuckets) + table_sql(kObjects) + table_sql(kMigrations) + kIndexes +
         kFunctions + kOwnershipAndGrants;
}

}  // namespace migsafe::pg::shim
