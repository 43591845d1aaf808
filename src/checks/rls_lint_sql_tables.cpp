// Table lints. Each applies the filters Supabase's splinter applies to the lint of the same id
// (which tables, which schemas skipped), so migsafe reports what the Supabase advisors report.
#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// Splinter 0013. A table listed as public may stay without RLS while the API roles can only read
// it; write privileges still make it a finding.
constexpr const char* kRlsDisabledInPublic = R"SQL(
select r.name,
       format('Table `%s` is in an exposed schema and row level security is disabled: anon and '
              'authenticated can %s every row through the API.', r.name,
              case when r.api_write then 'read and change' else 'read' end),
       format('Enable row level security, then add policies for the access you intend: '
              'alter table %I.%I enable row level security;', r.nspname, r.relname)
from rels r cross join opts o
where r.relkind = 'r' and r.exposed and not r.internal and not r.rls and r.api_select
  and (r.api_write or r.name <> all(o.public_tables))
)SQL";

// Splinter 0023: the column names it treats as sensitive.
constexpr const char* kSensitiveColumnsExposed = R"SQL(
select r.name,
       format('Table `%s` is readable through the API without row level security and has sensitive '
              'column(s): %s.', r.name, string_agg(a.attname, ', ' order by a.attname)),
       format('Enable row level security and add policies, or move the sensitive columns to a table the '
              'API cannot read: alter table %I.%I enable row level security;', r.nspname, r.relname)
from rels r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
where r.relkind = 'r' and r.exposed and not r.internal and not r.rls and r.api_select
  and replace(lower(a.attname), '-', '_') = any(array[
    'password', 'passwd', 'pwd', 'passphrase', 'secret', 'secret_key', 'private_key', 'api_key', 'apikey',
    'auth_key', 'token', 'jwt', 'access_token', 'refresh_token', 'oauth_token', 'session_token',
    'bearer_token', 'auth_code', 'session_id', 'session_key', 'session_secret', 'recovery_code',
    'backup_code', 'verification_code', 'otp', 'two_factor', '2fa_secret', '2fa_code', 'ssn',
    'social_security', 'social_security_number', 'driver_license', 'drivers_license', 'license_number',
    'passport_number', 'passport_id', 'national_id', 'tax_id', 'credit_card', 'card_number', 'cvv', 'cvc',
    'cvn', 'bank_account', 'account_number', 'routing_number', 'iban', 'swift_code', 'bic',
    'health_record', 'medical_record', 'patient_id', 'insurance_number', 'health_insurance',
    'medical_insurance', 'treatment', 'mac_address', 'macaddr', 'imei', 'device_uuid', 'pgp_key',
    'gpg_key', 'ssh_key', 'certificate', 'license_key', 'activation_key', 'facial_recognition'])
group by r.name, r.nspname, r.relname
)SQL";

// Splinter 0007: in any schema that is not skipped, exposed or not.
constexpr const char* kPolicyExistsRlsDisabled = R"SQL(
select r.name,
       format('Table `%s` has row level security policies (%s) but row level security is disabled, '
              'so none of them applies.', r.name, string_agg(p.polname, ', ' order by p.polname)),
       format('Enable row level security so the policies apply: alter table %I.%I enable row level security;',
              r.nspname, r.relname)
from rels r join pg_policy p on p.polrelid = r.oid
where r.relkind = 'r' and not r.internal and not r.ext_member and not r.rls
group by r.name, r.nspname, r.relname
)SQL";

// Splinter 0008.
constexpr const char* kRlsEnabledNoPolicy = R"SQL(
select r.name,
       format('Table `%s` has row level security enabled but no policies: anon and authenticated see '
              'no rows and can change none.', r.name),
       'Add policies for the access you intend, or ignore this finding with a reason when only '
       'service_role should use the table.'
from rels r
where r.relkind = 'r' and not r.internal and not r.ext_member and r.rls
  and not exists (select 1 from pg_policy p where p.polrelid = r.oid)
)SQL";

// Splinter 0018: pg_upgrade cannot carry columns of these types, which store OIDs. Any relation
// (views and types too), in every schema but PostgreSQL's own and pgsodium; the object is
// "schema.table.column".
constexpr const char* kUnsupportedRegTypes = R"SQL(
select n.nspname || '.' || c.relname || '.' || a.attname,
       format('Column `%s` of `%s.%s` has type %s, which stores OIDs: pg_upgrade refuses the database, so '
              'it cannot be upgraded to a new PostgreSQL major version.', a.attname, n.nspname, c.relname,
              t.typname),
       format('Store the name instead (text, cast with ::%s when used): '
              'alter table %I.%I alter column %I type text;', t.typname, n.nspname, c.relname, a.attname)
from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  join pg_type t on t.oid = a.atttypid
where t.typnamespace = 'pg_catalog'::regnamespace and a.attnum > 0 and not a.attisdropped
  and t.typname in ('regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper',
                    'regoperator', 'regproc', 'regprocedure')
  and n.nspname not in ('pg_catalog', 'information_schema', 'pgsodium', 'migsafe')
  and n.nspname not like 'pg\_%'
)SQL";

// Splinter 0021: Supabase Auth may drop or change its unique constraints (only auth.users' primary
// key is stable), which then breaks or blocks its upgrade. The object is "schema.table.constraint".
constexpr const char* kFkeyToAuthUnique = R"SQL(
select n.nspname || '.' || c.relname || '.' || k.conname,
       format('Foreign key `%s` of `%s.%s` references `%s`, a unique constraint of Supabase Auth that may '
              'change or disappear in an Auth upgrade.', k.conname, n.nspname, c.relname, i.indexrelid::regclass),
       format('Reference the primary key (auth.users.id) instead: alter table %I.%I drop constraint %I;',
              n.nspname, c.relname, k.conname)
from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
  join pg_class ref on ref.oid = k.confrelid join pg_index i on i.indexrelid = k.conindid
where k.contype = 'f' and ref.relnamespace = (select oid from pg_namespace where nspname = 'auth') and i.indisunique and not i.indisprimary
)SQL";

// migsafe's own: the owner bypasses RLS unless it is forced, so views and SECURITY DEFINER
// functions owned by the same role see every row. Owners that are superuser or BYPASSRLS bypass it
// anyway.
constexpr const char* kRlsNotForced = R"SQL(
select r.name,
       format('Row level security on `%s` is not forced, so its owner %s bypasses it: views and SECURITY '
              'DEFINER functions owned by %s, and sessions as %s or its members, see and change every row.',
              r.name, quote_ident(w.rolname), quote_ident(w.rolname), quote_ident(w.rolname)),
       format('Force row level security so it binds the owner too: alter table %I.%I force row level security;',
              r.nspname, r.relname)
from rels r join pg_roles w on w.oid = r.relowner
where r.relkind in ('r', 'p') and r.exposed and not r.internal and not r.ext_member and r.rls
  and not r.force_rls and not w.rolsuper and not w.rolbypassrls
)SQL";

}  // namespace

const std::vector<LintSpec>& table_lint_specs() {
  static const std::vector<LintSpec> specs{
      {"rls_disabled_in_public", "error", "0013_rls_disabled_in_public", kRlsDisabledInPublic},
      {"sensitive_columns_exposed", "error", "0023_sensitive_columns_exposed",
       kSensitiveColumnsExposed},
      {"policy_exists_rls_disabled", "error", "0007_policy_exists_rls_disabled",
       kPolicyExistsRlsDisabled},
      {"rls_enabled_no_policy", "info", "0008_rls_enabled_no_policy", kRlsEnabledNoPolicy},
      {"unsupported_reg_types", "warn", "unsupported_reg_types", kUnsupportedRegTypes},
      {"fkey_to_auth_unique", "error", "0021_fkey_to_auth_unique", kFkeyToAuthUnique},
      {"rls_not_forced", "info", nullptr, kRlsNotForced},
  };
  return specs;
}

}  // namespace migsafe::checks
