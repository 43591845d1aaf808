// Version 1 of the catalog query behind the schema fingerprint, kept as it was so that manifests made
// with it stay verifiable. `$1` is the text[] of owned schemas; it returns (kind, ident, def) rows.
#pragma once

namespace migsafe::pg {

inline constexpr const char* kFingerprintFactsSqlV1 = R"SQL(
with owned as (
  select n.oid, n.nspname from pg_namespace n where n.nspname = any($1::text[])
),
ext_members as (
  select objid, classid from pg_depend where deptype = 'e'
),
rels as (
  select c.oid, o.nspname, c.relname, c.relkind, c.relowner, c.relacl, c.relrowsecurity,
         c.relforcerowsecurity, c.reloptions, c.relpersistence, c.relispartition, c.relpartbound
  from pg_class c join owned o on o.oid = c.relnamespace
  where c.relkind in ('r','p','v','m','S','f','c')
    and not exists (select 1 from ext_members e where e.classid = 'pg_class'::regclass and e.objid = c.oid)
)
select kind, ident, def from (
  select 'schema' as kind, n.nspname::text as ident,
         'owner=' || pg_get_userbyid(n.nspowner) || ' acl=' ||
         coalesce((select string_agg(a::text, ',' order by a::text) from unnest(n.nspacl) a), '') ||
         ' comment=' || coalesce(obj_description(n.oid, 'pg_namespace'), '') as def
  from pg_namespace n join owned o on o.oid = n.oid
  union all
  select 'relation', r.nspname || '.' || r.relname,
         'kind=' || r.relkind::text || ' owner=' || pg_get_userbyid(r.relowner) ||
         ' rls=' || r.relrowsecurity || ' force_rls=' || r.relforcerowsecurity ||
         ' persistence=' || r.relpersistence::text ||
         ' options=' || coalesce(array_to_string(r.reloptions, ','), '') ||
         ' acl=' || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(r.relacl) a), '') ||
         ' partition_of=' || coalesce((select i.inhparent::regclass::text from pg_inherits i where i.inhrelid = r.oid and r.relispartition), '') ||
         ' bound=' || coalesce(pg_get_expr(r.relpartbound, r.oid), '') ||
         ' partkey=' || coalesce(case when r.relkind = 'p' then pg_get_partkeydef(r.oid) end, '') ||
         ' view=' || coalesce(case when r.relkind in ('v','m') then pg_get_viewdef(r.oid) end, '') ||
         ' comment=' || coalesce(obj_description(r.oid, 'pg_class'), '')
  from rels r
  union all
  select 'column', r.nspname || '.' || r.relname || '.' || a.attname,
         (row_number() over (partition by r.oid order by a.attnum))::text || ' ' ||
         format_type(a.atttypid, a.atttypmod) ||
         case when a.attnotnull then ' not null' else '' end ||
         coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') ||
         case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end ||
         case when a.attgenerated <> '' then ' generated ' || a.attgenerated::text else '' end ||
         coalesce(' collate ' || (select collname from pg_collation where oid = a.attcollation and a.attcollation <> 100 and a.attcollation <> t.typcollation), '') ||
         ' acl=' || coalesce((select string_agg(x::text, ',' order by x::text) from unnest(a.attacl) x), '') ||
         ' comment=' || coalesce(col_description(r.oid, a.attnum), '')
  from rels r
  join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  where r.relkind <> 'S'
  union all
  select 'constraint', o.nspname || '.' || coalesce(cr.relname, ct.typname) || '.' || con.conname,
         pg_get_constraintdef(con.oid) || ' deferrable=' || con.condeferrable || ' deferred=' || con.condeferred
  from pg_constraint con join owned o on o.oid = con.connamespace
  left join pg_class cr on cr.oid = con.conrelid
  left join pg_type ct on ct.oid = con.contypid
  where not exists (select 1 from ext_members e where e.classid = 'pg_constraint'::regclass and e.objid = con.oid)
  union all
  select 'index', o.nspname || '.' || ic.relname, pg_get_indexdef(i.indexrelid)
  from pg_index i join pg_class ic on ic.oid = i.indexrelid join owned o on o.oid = ic.relnamespace
  where not exists (select 1 from ext_members e where e.classid = 'pg_class'::regclass and e.objid = i.indrelid)
  union all
  select 'trigger', r.nspname || '.' || r.relname || '.' || tg.tgname,
         pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text
  from pg_trigger tg join rels r on r.oid = tg.tgrelid
  where not tg.tgisinternal
  union all
  select 'policy', r.nspname || '.' || r.relname || '.' || p.polname,
         'cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive ||
         ' roles=' || coalesce((select string_agg(rn, ',' order by rn) from (select case when x = 0 then 'public' else pg_get_userbyid(x)::text end as rn from unnest(p.polroles) x) q), '') ||
         ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') ||
         ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
  from pg_policy p join rels r on r.oid = p.polrelid
  union all
  select 'rule', r.nspname || '.' || r.relname || '.' || ru.rulename, pg_get_ruledef(ru.oid)
  from pg_rewrite ru join rels r on r.oid = ru.ev_class
  where ru.rulename <> '_RETURN'
  union all
  select 'function', o.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
         'kind=' || p.prokind::text || ' owner=' || pg_get_userbyid(p.proowner) ||
         ' acl=' || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(p.proacl) a), '') ||
         ' def=' || case when p.prokind = 'a' then coalesce(pg_get_function_result(p.oid), '')
                         else md5(pg_get_functiondef(p.oid)) end ||
         ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '')
  from pg_proc p join owned o on o.oid = p.pronamespace
  where not exists (select 1 from ext_members e where e.classid = 'pg_proc'::regclass and e.objid = p.oid)
  union all
  select 'type', o.nspname || '.' || t.typname,
         'type=' || t.typtype::text || ' owner=' || pg_get_userbyid(t.typowner) ||
         ' base=' || case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) else '' end ||
         case when t.typtype = 'd' and t.typnotnull then ' not null' else '' end ||
         coalesce(' default ' || t.typdefault, '') ||
         ' labels=' || coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '') ||
         ' acl=' || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(t.typacl) a), '') ||
         ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '')
  from pg_type t join owned o on o.oid = t.typnamespace
  where t.typtype in ('e','d','r','m')
    and not exists (select 1 from ext_members e where e.classid = 'pg_type'::regclass and e.objid = t.oid)
  union all
  select 'sequence', r.nspname || '.' || r.relname,
         format_type(s.seqtypid, null) || ' start=' || s.seqstart || ' inc=' || s.seqincrement ||
         ' min=' || s.seqmin || ' max=' || s.seqmax || ' cache=' || s.seqcache || ' cycle=' || s.seqcycle ||
         ' owned_by=' || coalesce((select dr.relname || '.' || da.attname from pg_depend d
            join pg_class dr on dr.oid = d.refobjid
            join pg_attribute da on da.attrelid = d.refobjid and da.attnum = d.refobjsubid
            where d.classid = 'pg_class'::regclass and d.objid = r.oid and d.deptype in ('a','i')
              and d.refclassid = 'pg_class'::regclass limit 1), '')
  from pg_sequence s join rels r on r.oid = s.seqrelid
  union all
  select 'extension', x.extname, 'schema=' || o.nspname || ' version=' || x.extversion
  from pg_extension x join owned o on o.oid = x.extnamespace
) facts
)SQL";

}  // namespace migsafe::pg
