// The catalog queries behind the outside snapshot (pg/outside.hpp). `$1` is the text[] of owned
// schemas; "outside" is every other schema except the system ones and migsafe's history schemas.
#pragma once

namespace migsafe::pg {

// One row per object outside the owned schemas: (type, identity, def, classid, objid, objsubid,
// drop_sql, grant_target, acl). type and identity are pg_identify_object's (quoted, qualified with
// an empty search_path); drop_sql removes the object; rows of type 'privileges' carry the object's
// ACL (NULL read as the default ACL) and the GRANT target that reverts it.
inline constexpr const char* kOutsideObjectsSql = R"SQL(
with owned as (
  select oid from pg_namespace where nspname = any($1::text[])
),
outside as (
  select n.oid, n.nspname, n.nspowner, n.nspacl from pg_namespace n
  where n.oid not in (select oid from owned)
    and n.nspname not in ('pg_catalog', 'information_schema', 'migsafe', 'supabase_migrations')
    and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
),
ext_members as (
  select classid, objid from pg_depend where deptype = 'e'
),
rels as (
  select c.* from pg_class c join outside o on o.oid = c.relnamespace
  where c.relkind in ('r','p','v','m','S','f','i','c')
    and not exists (select 1 from ext_members e where e.classid = 'pg_class'::regclass and e.objid = c.oid)
),
objects as (
  select 'pg_class'::regclass::oid as classid, c.oid as objid, 0 as objsubid,
         'kind=' || c.relkind::text || ' owner=' || pg_get_userbyid(c.relowner) || ' rls=' || c.relrowsecurity ||
         ' force_rls=' || c.relforcerowsecurity || ' replica_identity=' || c.relreplident::text ||
         ' options=' || coalesce(array_to_string(c.reloptions, ','), '') ||
         ' def=' || coalesce(case c.relkind
                               when 'i' then pg_get_indexdef(c.oid) || ' valid=' || (select indisvalid from pg_index where indexrelid = c.oid)
                               when 'v' then pg_get_viewdef(c.oid)
                               when 'm' then pg_get_viewdef(c.oid) end, '') ||
         ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '') as def,
         case c.relkind when 'c' then format('DROP TYPE IF EXISTS %s CASCADE;', c.reltype::regtype)
           else format('DROP %s IF EXISTS %s CASCADE;',
                       case c.relkind when 'i' then 'INDEX' when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW'
                                      when 'S' then 'SEQUENCE' when 'f' then 'FOREIGN TABLE' else 'TABLE' end,
                       c.oid::regclass) end as drop_sql
  from rels c
  union all
  select 'pg_class'::regclass, a.attrelid, a.attnum,
         (row_number() over (partition by a.attrelid order by a.attnum))::text || ' ' || format_type(a.atttypid, a.atttypmod) ||
         case when a.attnotnull then ' not null' else '' end ||
         coalesce(' default ' || (select pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d where d.adrelid = a.attrelid and d.adnum = a.attnum), '') ||
         case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end ||
         case when a.attgenerated <> '' then ' generated ' || a.attgenerated::text else '' end ||
         ' acl=' || coalesce((select string_agg(x::text, ',' order by x::text) from unnest(a.attacl) x), '') ||
         ' comment=' || coalesce(col_description(a.attrelid, a.attnum), ''),
         format('ALTER TABLE %s DROP COLUMN IF EXISTS %I CASCADE;', a.attrelid::regclass, a.attname)
  from pg_attribute a join rels c on c.oid = a.attrelid
  where a.attnum > 0 and not a.attisdropped and c.relkind in ('r','p','f')
  union all
  select 'pg_constraint'::regclass, con.oid, 0,
         pg_get_constraintdef(con.oid) || ' deferrable=' || con.condeferrable || ' deferred=' || con.condeferred ||
         ' validated=' || con.convalidated || ' comment=' || coalesce(obj_description(con.oid, 'pg_constraint'), ''),
         case when con.conrelid <> 0 then format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I CASCADE;', con.conrelid::regclass, con.conname)
              else format('ALTER DOMAIN %s DROP CONSTRAINT IF EXISTS %I CASCADE;', con.contypid::regtype, con.conname) end
  from pg_constraint con join outside o on o.oid = con.connamespace
  where not exists (select 1 from ext_members e where e.classid = 'pg_constraint'::regclass and e.objid = con.oid)
  union all
  select 'pg_trigger'::regclass, t.oid, 0,
         pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text || ' comment=' || coalesce(obj_description(t.oid, 'pg_trigger'), ''),
         format('DROP TRIGGER IF EXISTS %I ON %s;', t.tgname, t.tgrelid::regclass)
  from pg_trigger t join rels c on c.oid = t.tgrelid
  where not t.tgisinternal
  union all
  select 'pg_policy'::regclass, p.oid, 0,
         'cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive ||
         ' roles=' || coalesce((select string_agg(rn, ',' order by rn) from (select case when x = 0 then 'public' else pg_get_userbyid(x)::text end as rn from unnest(p.polroles) x) q), '') ||
         ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') ||
         ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ||
         ' comment=' || coalesce(obj_description(p.oid, 'pg_policy'), ''),
         format('DROP POLICY IF EXISTS %I ON %s;', p.polname, p.polrelid::regclass)
  from pg_policy p join rels c on c.oid = p.polrelid
  union all
  select 'pg_rewrite'::regclass, r.oid, 0,
         pg_get_ruledef(r.oid) || ' enabled=' || r.ev_enabled::text,
         format('DROP RULE IF EXISTS %I ON %s;', r.rulename, r.ev_class::regclass)
  from pg_rewrite r join rels c on c.oid = r.ev_class
  where r.rulename <> '_RETURN'
  union all
  select 'pg_proc'::regclass, p.oid, 0,
         'kind=' || p.prokind::text || ' owner=' || pg_get_userbyid(p.proowner) ||
         ' def=' || case when p.prokind = 'a' then coalesce(pg_get_function_result(p.oid), '') else md5(pg_get_functiondef(p.oid)) end ||
         ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), ''),
         format('DROP %s IF EXISTS %s CASCADE;', case p.prokind when 'a' then 'AGGREGATE' else 'ROUTINE' end, p.oid::regprocedure)
  from pg_proc p join outside o on o.oid = p.pronamespace
  where not exists (select 1 from ext_members e where e.classid = 'pg_proc'::regclass and e.objid = p.oid)
  union all
  select 'pg_type'::regclass, t.oid, 0,
         'type=' || t.typtype::text || ' owner=' || pg_get_userbyid(t.typowner) ||
         ' base=' || coalesce(format_type(nullif(t.typbasetype, 0), t.typtypmod), '') ||
         ' labels=' || coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '') ||
         ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), ''),
         format('DROP TYPE IF EXISTS %s CASCADE;', t.oid::regtype)
  from pg_type t join outside o on o.oid = t.typnamespace
  where t.typtype in ('e','d','r')
    and not exists (select 1 from ext_members e where e.classid = 'pg_type'::regclass and e.objid = t.oid)
  union all
  select 'pg_statistic_ext'::regclass, s.oid, 0, pg_get_statisticsobjdef(s.oid) || ' target=' || s.stxstattarget,
         format('DROP STATISTICS IF EXISTS %I.%I;', o.nspname, s.stxname)
  from pg_statistic_ext s join outside o on o.oid = s.stxnamespace
  union all
  select 'pg_extension'::regclass, x.oid, 0, 'schema=' || o.nspname || ' version=' || x.extversion,
         format('DROP EXTENSION IF EXISTS %I CASCADE;', x.extname)
  from pg_extension x join outside o on o.oid = x.extnamespace
  union all
  select 'pg_namespace'::regclass, o.oid, 0,
         'owner=' || pg_get_userbyid(o.nspowner) || ' comment=' || coalesce(obj_description(o.oid, 'pg_namespace'), ''),
         format('DROP SCHEMA IF EXISTS %I CASCADE;', o.nspname)
  from outside o
  union all
  select 'pg_event_trigger'::regclass, e.oid, 0,
         e.evtevent || ' ' || e.evtfoid::regprocedure::text || ' enabled=' || e.evtenabled::text ||
         ' tags=' || coalesce(array_to_string(e.evttags, ','), ''),
         format('DROP EVENT TRIGGER IF EXISTS %I;', e.evtname)
  from pg_event_trigger e
  where not exists (select 1 from ext_members x where x.classid = 'pg_event_trigger'::regclass and x.objid = e.oid)
  union all
  select 'pg_publication'::regclass, pub.oid, 0,
         'all_tables=' || pub.puballtables || ' insert=' || pub.pubinsert || ' update=' || pub.pubupdate ||
         ' delete=' || pub.pubdelete || ' truncate=' || pub.pubtruncate,
         format('DROP PUBLICATION IF EXISTS %I;', pub.pubname)
  from pg_publication pub
  union all
  select 'pg_publication_rel'::regclass, pr.oid, 0, 'where=' || coalesce(pg_get_expr(pr.prqual, pr.prrelid), ''),
         format('ALTER PUBLICATION %I DROP TABLE %s;', pub.pubname, pr.prrelid::regclass)
  from pg_publication_rel pr join pg_publication pub on pub.oid = pr.prpubid join rels c on c.oid = pr.prrelid
  union all
  select 'pg_default_acl'::regclass, d.oid, 0,
         coalesce((select string_agg(a::text, ',' order by a::text) from unnest(d.defaclacl) a), ''), null
  from pg_default_acl d
  where d.defaclnamespace = 0 or d.defaclnamespace in (select oid from outside)
),
privileges as (
  select 'pg_class'::regclass::oid as classid, c.oid as objid,
         coalesce(c.relacl, acldefault(case c.relkind when 'S' then 's'::"char" else 'r'::"char" end, c.relowner)) as acl,
         case c.relkind when 'S' then 'SEQUENCE ' else 'TABLE ' end || c.oid::regclass::text as target
  from rels c where c.relkind in ('r','p','v','m','S','f')
  union all
  select 'pg_proc'::regclass, p.oid, coalesce(p.proacl, acldefault('f', p.proowner)), 'ROUTINE ' || p.oid::regprocedure::text
  from pg_proc p join outside o on o.oid = p.pronamespace
  where p.prokind <> 'a'
    and not exists (select 1 from ext_members e where e.classid = 'pg_proc'::regclass and e.objid = p.oid)
  union all
  select 'pg_namespace'::regclass, o.oid, coalesce(o.nspacl, acldefault('n', o.nspowner)), 'SCHEMA ' || quote_ident(o.nspname)
  from outside o
  union all
  select 'pg_type'::regclass, t.oid, coalesce(t.typacl, acldefault('T', t.typowner)), 'TYPE ' || t.oid::regtype::text
  from pg_type t join outside o on o.oid = t.typnamespace
  where t.typtype in ('e','d','r')
    and not exists (select 1 from ext_members e where e.classid = 'pg_type'::regclass and e.objid = t.oid)
)
select i.type, i.identity, o.def, o.classid, o.objid, o.objsubid, o.drop_sql, null as grant_target, null as acl
from objects o cross join lateral pg_identify_object(o.classid, o.objid, o.objsubid) i
union all
select 'privileges', i.type || ' ' || i.identity,
       coalesce((select string_agg(a::text, ',' order by a::text) from unnest(p.acl) a), ''),
       p.classid, p.objid, 0, null, p.target, p.acl::text
from privileges p cross join lateral pg_identify_object(p.classid, p.objid, 0) i
)SQL";

// `$1` is a GRANT target ("TABLE storage.buckets"), `$2` the ACL it must have, `$3` the ACL read
// now (both aclitem[] as text): returns the REVOKE and GRANT statements that turn one into the other.
inline constexpr const char* kRevertPrivilegesSql = R"SQL(
with want as (select * from aclexplode($2::aclitem[])),
have as (select * from aclexplode($3::aclitem[])),
name as (select g, case when g = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(g)) end as n
         from (select grantee as g from want union select grantee from have) x)
select string_agg(stmt, E'\n' order by ord, stmt) from (
  select 1 as ord, format('REVOKE %s ON %s FROM %s;', h.privilege_type, $1::text, n.n) as stmt
  from have h join name n on n.g = h.grantee
  where not exists (select 1 from want w where w.grantee = h.grantee and w.privilege_type = h.privilege_type
                                          and w.is_grantable = h.is_grantable)
  union all
  select 2, format('GRANT %s ON %s TO %s%s;', w.privilege_type, $1::text, n.n,
                   case when w.is_grantable then ' WITH GRANT OPTION' else '' end)
  from want w join name n on n.g = w.grantee
  where not exists (select 1 from have h where h.grantee = w.grantee and h.privilege_type = w.privilege_type
                                          and h.is_grantable = w.is_grantable)
) s
)SQL";

// The data of one table as an order-independent hash: the row count and the sum of 60 bits of each
// row's md5 (a multiset hash: no sort, one scan). `%s` is the qualified table name.
inline constexpr const char* kTableHashSql =
    "select count(*) || ':' || coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0) "
    "from only %s t";

// The user tables outside the owned schemas, qualified: whose data the outside snapshot hashes.
inline constexpr const char* kOutsideTablesSql = R"SQL(
select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'r' and c.relpersistence <> 't'
  and n.nspname <> all($1::text[])
  and n.nspname not in ('pg_catalog', 'information_schema', 'migsafe', 'supabase_migrations')
  and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
  and not exists (select 1 from pg_depend e where e.classid = 'pg_class'::regclass and e.objid = c.oid and e.deptype = 'e')
order by 1
)SQL";

}  // namespace migsafe::pg
