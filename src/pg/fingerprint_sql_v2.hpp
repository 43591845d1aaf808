// Version 2 of the catalog query behind the schema fingerprint: one row per object of the owned
// schemas, (kind, ident, def), sorted by the caller. `$1` is the text[] of owned schemas.
// Beyond version 1 it covers index validity, replica identity, NOT VALID constraints, comments on
// constraints/indexes/triggers/policies/rules/extensions, statistics objects, publication
// membership, default privileges in the owned schemas, and every object OUTSIDE the owned schemas
// that depends directly on one inside them (a column of an owned type, a view, a foreign key, a
// trigger or policy calling an owned function, a default using an owned sequence). Each definition
// is a jsonb object with named fields (printed as text), so snapshots diff field by field
// (pg/object_diff.hpp); grants are [grantee, privilege] pairs with the owner as "(owner)".
// docs/fingerprint.md lists it for users; once released, a change here is a new version
// (pg/fingerprint.cpp), never an edit.
#pragma once

namespace migsafe::pg {

inline constexpr const char* kFingerprintFactsSqlV2 = R"SQL(
with owned as (
  select n.oid, n.nspname from pg_namespace n where n.nspname = any($1::text[])
),
ext_members as (
  select objid, classid from pg_depend where deptype = 'e'
),
rels as (
  select c.oid, o.nspname, c.relname, c.relkind, c.relowner, c.relacl, c.relrowsecurity,
         c.relforcerowsecurity, c.reloptions, c.relpersistence, c.relispartition, c.relpartbound, c.relreplident
  from pg_class c join owned o on o.oid = c.relnamespace
  where c.relkind in ('r','p','v','m','S','f','c')
    and not exists (select 1 from ext_members e where e.classid = 'pg_class'::regclass and e.objid = c.oid)
),
owned_objects as (
  select 'pg_class'::regclass as classid, c.oid as objid from pg_class c join owned o on o.oid = c.relnamespace
  union all select 'pg_type'::regclass, t.oid from pg_type t join owned o on o.oid = t.typnamespace
  union all select 'pg_proc'::regclass, p.oid from pg_proc p join owned o on o.oid = p.pronamespace
  union all select 'pg_constraint'::regclass, c.oid from pg_constraint c join owned o on o.oid = c.connamespace
  union all select 'pg_collation'::regclass, c.oid from pg_collation c join owned o on o.oid = c.collnamespace
  union all select 'pg_operator'::regclass, x.oid from pg_operator x join owned o on o.oid = x.oprnamespace
),
dependents as (
  select distinct d.classid, d.objid, d.objsubid
  from pg_depend d join owned_objects r on r.classid = d.refclassid and r.objid = d.refobjid
  where d.deptype in ('n', 'a')
),
outside_dependents as (
  select x.* from (
    select dp.*, case dp.classid
      when 'pg_class'::regclass then (select relnamespace from pg_class where oid = dp.objid)
      when 'pg_type'::regclass then (select typnamespace from pg_type where oid = dp.objid)
      when 'pg_proc'::regclass then (select pronamespace from pg_proc where oid = dp.objid)
      when 'pg_constraint'::regclass then (select connamespace from pg_constraint where oid = dp.objid)
      when 'pg_statistic_ext'::regclass then (select stxnamespace from pg_statistic_ext where oid = dp.objid)
      when 'pg_trigger'::regclass then (select c.relnamespace from pg_trigger t join pg_class c on c.oid = t.tgrelid where t.oid = dp.objid)
      when 'pg_policy'::regclass then (select c.relnamespace from pg_policy p join pg_class c on c.oid = p.polrelid where p.oid = dp.objid)
      when 'pg_rewrite'::regclass then (select c.relnamespace from pg_rewrite r join pg_class c on c.oid = r.ev_class where r.oid = dp.objid)
      when 'pg_attrdef'::regclass then (select c.relnamespace from pg_attrdef a join pg_class c on c.oid = a.adrelid where a.oid = dp.objid)
    end as nsp
    from dependents dp
  ) x
  where (x.nsp is null or x.nsp not in (select oid from owned))
    and x.classid in ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_constraint'::regclass,
                      'pg_statistic_ext'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_rewrite'::regclass,
                      'pg_attrdef'::regclass, 'pg_cast'::regclass, 'pg_event_trigger'::regclass,
                      'pg_foreign_data_wrapper'::regclass, 'pg_foreign_server'::regclass, 'pg_transform'::regclass)
    and not exists (select 1 from ext_members e where e.classid = x.classid and e.objid = x.objid)
    and not (x.classid = 'pg_trigger'::regclass and (select tgisinternal from pg_trigger where oid = x.objid))
),
acl_entries as (
  select 'pg_namespace'::regclass as classid, n.oid as objid, 0::int as objsubid, n.nspowner as owner,
         coalesce(n.nspacl, acldefault('n', n.nspowner)) as acl
  from pg_namespace n join owned o on o.oid = n.oid
  union all
  select 'pg_class'::regclass, r.oid, 0, r.relowner,
         coalesce(r.relacl, acldefault(case when r.relkind = 'S' then 's' else 'r' end::"char", r.relowner))
  from rels r
  union all
  select 'pg_class'::regclass, r.oid, a.attnum::int, r.relowner, a.attacl
  from rels r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped and a.attacl is not null
  union all
  select 'pg_proc'::regclass, p.oid, 0, p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
  from pg_proc p join owned o on o.oid = p.pronamespace
  union all
  select 'pg_type'::regclass, t.oid, 0, t.typowner, coalesce(t.typacl, acldefault('T', t.typowner))
  from pg_type t join owned o on o.oid = t.typnamespace where t.typtype in ('e','d','r','m','c')
  union all
  select 'pg_default_acl'::regclass, d.oid, 0, d.defaclrole, d.defaclacl
  from pg_default_acl d join owned o on o.oid = d.defaclnamespace
),
acls as (
  select classid, objid, objsubid, jsonb_agg(item order by item::text collate "C") as items
  from (
    select e.classid, e.objid, e.objsubid,
           jsonb_build_array(case when x.grantee = e.owner then '(owner)' when x.grantee = 0 then 'PUBLIC'
                                  else pg_get_userbyid(x.grantee)::text end, x.privilege_type) ||
           case when x.is_grantable then '["with grant option"]'::jsonb else '[]'::jsonb end ||
           case when x.grantor <> e.owner then jsonb_build_array('granted by ' || pg_get_userbyid(x.grantor)) else '[]'::jsonb end as item
    from acl_entries e cross join lateral aclexplode(e.acl) x
  ) g
  group by classid, objid, objsubid
)
select kind, ident, def from (select kind, ident, d::text as def from (
  select 'schema' as kind, n.nspname::text as ident,
         jsonb_build_object('owner', pg_get_userbyid(n.nspowner), 'grants', coalesce(ac.items, '[]'),
                            'comment', obj_description(n.oid, 'pg_namespace')) as d
  from pg_namespace n join owned o on o.oid = n.oid
  left join acls ac on ac.classid = 'pg_namespace'::regclass and ac.objid = n.oid and ac.objsubid = 0
  union all
  select 'relation', r.nspname || '.' || r.relname,
         jsonb_build_object('kind', case r.relkind when 'r' then 'table' when 'p' then 'partitioned table' when 'v' then 'view'
                                      when 'm' then 'materialized view' when 'S' then 'sequence' when 'f' then 'foreign table'
                                      else 'composite type' end,
                            'owner', pg_get_userbyid(r.relowner),
                            'rls', r.relrowsecurity, 'force_rls', r.relforcerowsecurity,
                            'persistence', r.relpersistence::text, 'replica_identity', r.relreplident::text,
                            'options', coalesce((select jsonb_object_agg(split_part(x, '=', 1), substr(x, strpos(x, '=') + 1))
                                                 from unnest(r.reloptions) x), '{}'),
                            'grants', coalesce(ac.items, '[]'),
                            'partition_of', (select i.inhparent::regclass::text from pg_inherits i where i.inhrelid = r.oid and r.relispartition),
                            'bound', pg_get_expr(r.relpartbound, r.oid),
                            'partition_key', case when r.relkind = 'p' then pg_get_partkeydef(r.oid) end,
                            'view', case when r.relkind in ('v','m') then pg_get_viewdef(r.oid) end,
                            'comment', obj_description(r.oid, 'pg_class'))
  from rels r
  left join acls ac on ac.classid = 'pg_class'::regclass and ac.objid = r.oid and ac.objsubid = 0
  union all
  select 'column', r.nspname || '.' || r.relname || '.' || a.attname,
         jsonb_build_object('position', row_number() over (partition by r.oid order by a.attnum),
                            'type', format_type(a.atttypid, a.atttypmod),
                            'not_null', a.attnotnull,
                            'default', pg_get_expr(d.adbin, d.adrelid),
                            'identity', nullif(a.attidentity::text, ''),
                            'generated', nullif(a.attgenerated::text, ''),
                            'collation', (select collname from pg_collation where oid = a.attcollation and a.attcollation <> 100 and a.attcollation <> t.typcollation),
                            'storage', a.attstorage::text, 'statistics', a.attstattarget,
                            'grants', coalesce(ac.items, '[]'),
                            'comment', col_description(r.oid, a.attnum))
  from rels r
  join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  left join acls ac on ac.classid = 'pg_class'::regclass and ac.objid = r.oid and ac.objsubid = a.attnum
  where r.relkind <> 'S'
  union all
  select 'constraint', o.nspname || '.' || coalesce(cr.relname, ct.typname) || '.' || con.conname,
         jsonb_build_object('definition', pg_get_constraintdef(con.oid), 'deferrable', con.condeferrable,
                            'deferred', con.condeferred, 'validated', con.convalidated,
                            'comment', obj_description(con.oid, 'pg_constraint'))
  from pg_constraint con join owned o on o.oid = con.connamespace
  left join pg_class cr on cr.oid = con.conrelid
  left join pg_type ct on ct.oid = con.contypid
  where not exists (select 1 from ext_members e where e.classid = 'pg_constraint'::regclass and e.objid = con.oid)
  union all
  select 'index', o.nspname || '.' || ic.relname,
         jsonb_build_object('definition', pg_get_indexdef(i.indexrelid), 'valid', i.indisvalid, 'ready', i.indisready,
                            'clustered', i.indisclustered, 'replica_identity', i.indisreplident,
                            'comment', obj_description(ic.oid, 'pg_class'))
  from pg_index i join pg_class ic on ic.oid = i.indexrelid join owned o on o.oid = ic.relnamespace
  where not exists (select 1 from ext_members e where e.classid = 'pg_class'::regclass and e.objid = i.indrelid)
  union all
  select 'trigger', r.nspname || '.' || r.relname || '.' || tg.tgname,
         jsonb_build_object('definition', pg_get_triggerdef(tg.oid),
                            'enabled', case tg.tgenabled when 'O' then 'enabled' when 'D' then 'disabled'
                                                         when 'R' then 'replica' when 'A' then 'always' else tg.tgenabled::text end,
                            'comment', obj_description(tg.oid, 'pg_trigger'))
  from pg_trigger tg join rels r on r.oid = tg.tgrelid
  where not tg.tgisinternal
  union all
  select 'policy', r.nspname || '.' || r.relname || '.' || p.polname,
         jsonb_build_object('command', case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                                                     when 'd' then 'DELETE' else 'ALL' end,
                            'permissive', p.polpermissive,
                            'roles', (select coalesce(jsonb_agg(rn order by rn collate "C"), '[]')
                                      from (select case when x = 0 then 'public' else pg_get_userbyid(x)::text end as rn from unnest(p.polroles) x) q),
                            'using', pg_get_expr(p.polqual, p.polrelid),
                            'with_check', pg_get_expr(p.polwithcheck, p.polrelid),
                            'comment', obj_description(p.oid, 'pg_policy'))
  from pg_policy p join rels r on r.oid = p.polrelid
  union all
  select 'rule', r.nspname || '.' || r.relname || '.' || ru.rulename,
         jsonb_build_object('definition', pg_get_ruledef(ru.oid), 'enabled', ru.ev_enabled::text,
                            'comment', obj_description(ru.oid, 'pg_rewrite'))
  from pg_rewrite ru join rels r on r.oid = ru.ev_class
  where ru.rulename <> '_RETURN'
  union all
  select 'function', o.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
         jsonb_build_object('kind', case p.prokind when 'f' then 'function' when 'p' then 'procedure' when 'a' then 'aggregate'
                                                   when 'w' then 'window function' else p.prokind::text end,
                            'owner', pg_get_userbyid(p.proowner),
                            'grants', coalesce(ac.items, '[]'),
                            'definition', case when p.prokind = 'a' then pg_get_function_result(p.oid)
                                               else pg_get_functiondef(p.oid) end,
                            'comment', obj_description(p.oid, 'pg_proc'))
  from pg_proc p join owned o on o.oid = p.pronamespace
  left join acls ac on ac.classid = 'pg_proc'::regclass and ac.objid = p.oid and ac.objsubid = 0
  where not exists (select 1 from ext_members e where e.classid = 'pg_proc'::regclass and e.objid = p.oid)
  union all
  select 'type', o.nspname || '.' || t.typname,
         jsonb_build_object('type', case t.typtype when 'e' then 'enum' when 'd' then 'domain' when 'r' then 'range'
                                                   when 'm' then 'multirange' when 'c' then 'composite' else t.typtype::text end,
                            'owner', pg_get_userbyid(t.typowner),
                            'base', case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end,
                            'not_null', t.typnotnull,
                            'default', t.typdefault,
                            'labels', (select jsonb_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid),
                            'attributes', (select jsonb_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) order by a.attnum)
                                           from pg_attribute a where t.typtype = 'c' and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped),
                            'grants', coalesce(ac.items, '[]'),
                            'comment', obj_description(t.oid, 'pg_type'))
  from pg_type t join owned o on o.oid = t.typnamespace
  left join acls ac on ac.classid = 'pg_type'::regclass and ac.objid = t.oid and ac.objsubid = 0
  where (t.typtype in ('e','d','r','m') or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
    and not exists (select 1 from ext_members e where e.classid = 'pg_type'::regclass and e.objid = t.oid)
  union all
  select 'sequence', r.nspname || '.' || r.relname,
         jsonb_build_object('type', format_type(s.seqtypid, null), 'start', s.seqstart, 'increment', s.seqincrement,
                            'min', s.seqmin, 'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle,
                            'owned_by', (select dr.relname || '.' || da.attname from pg_depend d
                                           join pg_class dr on dr.oid = d.refobjid
                                           join pg_attribute da on da.attrelid = d.refobjid and da.attnum = d.refobjsubid
                                          where d.classid = 'pg_class'::regclass and d.objid = r.oid and d.deptype in ('a','i')
                                            and d.refclassid = 'pg_class'::regclass limit 1))
  from pg_sequence s join rels r on r.oid = s.seqrelid
  union all
  select 'extension', x.extname, jsonb_build_object('schema', o.nspname, 'version', x.extversion,
                                                    'comment', obj_description(x.oid, 'pg_extension'))
  from pg_extension x join owned o on o.oid = x.extnamespace
  union all
  select 'statistics', o.nspname || '.' || s.stxname,
         jsonb_build_object('definition', pg_get_statisticsobjdef(s.oid), 'target', s.stxstattarget,
                            'owner', pg_get_userbyid(s.stxowner), 'comment', obj_description(s.oid, 'pg_statistic_ext'))
  from pg_statistic_ext s join owned o on o.oid = s.stxnamespace
  union all
  select 'publication table', pub.pubname || ' ' || r.nspname || '.' || r.relname,
         jsonb_build_object('where', pg_get_expr(pr.prqual, pr.prrelid),
                            'columns', (select jsonb_agg(a.attname order by a.attname collate "C") from pg_attribute a
                                        where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)))
  from pg_publication_rel pr join pg_publication pub on pub.oid = pr.prpubid join rels r on r.oid = pr.prrelid
  union all
  select 'publication schema', pub.pubname || ' ' || o.nspname, '{}'::jsonb
  from pg_publication_namespace pn join pg_publication pub on pub.oid = pn.pnpubid join owned o on o.oid = pn.pnnspid
  union all
  select 'publication all tables', pub.pubname,
         jsonb_build_object('insert', pub.pubinsert, 'update', pub.pubupdate, 'delete', pub.pubdelete,
                            'truncate', pub.pubtruncate, 'via_root', pub.pubviaroot)
  from pg_publication pub where pub.puballtables
  union all
  select 'default privileges', pg_get_userbyid(da.defaclrole) || ' in ' || o.nspname || ' on ' ||
           case da.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                                 when 'T' then 'types' when 'n' then 'schemas' else da.defaclobjtype::text end,
         jsonb_build_object('grants', coalesce(ac.items, '[]'))
  from pg_default_acl da join owned o on o.oid = da.defaclnamespace
  left join acls ac on ac.classid = 'pg_default_acl'::regclass and ac.objid = da.oid and ac.objsubid = 0
  union all
  select 'outside dependent', i.type || ' ' || i.identity,
         jsonb_build_object('definition',
         case od.classid
           when 'pg_class'::regclass then
             case when od.objsubid > 0 then
               (select format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end ||
                       coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '') ||
                       case when a.attgenerated <> '' then ' generated ' || a.attgenerated::text else '' end
                  from pg_attribute a left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
                 where a.attrelid = od.objid and a.attnum = od.objsubid)
             else (select case c.relkind when 'i' then pg_get_indexdef(c.oid) when 'v' then pg_get_viewdef(c.oid)
                                         when 'm' then pg_get_viewdef(c.oid) else 'kind=' || c.relkind::text end
                     from pg_class c where c.oid = od.objid) end
           when 'pg_constraint'::regclass then (select pg_get_constraintdef(c.oid) || ' validated=' || c.convalidated
                                                  from pg_constraint c where c.oid = od.objid)
           when 'pg_trigger'::regclass then (select pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
                                               from pg_trigger t where t.oid = od.objid)
           when 'pg_policy'::regclass then
             (select 'cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive ||
                     ' roles=' || coalesce((select string_agg(rn, ',' order by rn) from (select case when x = 0 then 'public' else pg_get_userbyid(x)::text end as rn from unnest(p.polroles) x) q), '') ||
                     ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') ||
                     ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
                from pg_policy p where p.oid = od.objid)
           when 'pg_rewrite'::regclass then pg_get_ruledef(od.objid)
           when 'pg_attrdef'::regclass then (select pg_get_expr(a.adbin, a.adrelid) from pg_attrdef a where a.oid = od.objid)
           when 'pg_proc'::regclass then (select case when p.prokind = 'a' then coalesce(pg_get_function_result(p.oid), '')
                                                      else md5(pg_get_functiondef(p.oid)) end
                                            from pg_proc p where p.oid = od.objid)
           when 'pg_type'::regclass then (select t.typtype::text || ' ' || coalesce(format_type(nullif(t.typbasetype, 0), t.typtypmod), '')
                                            from pg_type t where t.oid = od.objid)
           else ''
         end)
  from outside_dependents od cross join lateral pg_identify_object(od.classid, od.objid, od.objsubid) i
) facts) facts_text
)SQL";

}  // namespace migsafe::pg
