// Version 2 of the catalog query behind the schema fingerprint: one row per object of the owned
// schemas, (kind, ident, def), sorted by the caller. `$1` is the text[] of owned schemas.
// Beyond version 1 it covers index validity, replica identity, NOT VALID constraints, comments on
// constraints/indexes/triggers/policies/rules/extensions, statistics objects, publication
// membership, default privileges in the owned schemas, and every object OUTSIDE the owned schemas
// that depends directly on one inside them (a column of an owned type, a view, a foreign key, a
// trigger or policy calling an owned function, a default using an owned sequence). docs/fingerprint.md
// lists it for users; a change here is a new version (pg/fingerprint.cpp), never an edit.
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
         ' replica_identity=' || r.relreplident::text ||
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
         ' storage=' || a.attstorage::text || ' statistics=' || a.attstattarget ||
         ' acl=' || coalesce((select string_agg(x::text, ',' order by x::text) from unnest(a.attacl) x), '') ||
         ' comment=' || coalesce(col_description(r.oid, a.attnum), '')
  from rels r
  join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  where r.relkind <> 'S'
  union all
  select 'constraint', o.nspname || '.' || coalesce(cr.relname, ct.typname) || '.' || con.conname,
         pg_get_constraintdef(con.oid) || ' deferrable=' || con.condeferrable || ' deferred=' || con.condeferred ||
         ' validated=' || con.convalidated ||
         ' comment=' || coalesce(obj_description(con.oid, 'pg_constraint'), '')
  from pg_constraint con join owned o on o.oid = con.connamespace
  left join pg_class cr on cr.oid = con.conrelid
  left join pg_type ct on ct.oid = con.contypid
  where not exists (select 1 from ext_members e where e.classid = 'pg_constraint'::regclass and e.objid = con.oid)
  union all
  select 'index', o.nspname || '.' || ic.relname,
         pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid || ' ready=' || i.indisready ||
         ' clustered=' || i.indisclustered || ' replica_identity=' || i.indisreplident ||
         ' comment=' || coalesce(obj_description(ic.oid, 'pg_class'), '')
  from pg_index i join pg_class ic on ic.oid = i.indexrelid join owned o on o.oid = ic.relnamespace
  where not exists (select 1 from ext_members e where e.classid = 'pg_class'::regclass and e.objid = i.indrelid)
  union all
  select 'trigger', r.nspname || '.' || r.relname || '.' || tg.tgname,
         pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text ||
         ' comment=' || coalesce(obj_description(tg.oid, 'pg_trigger'), '')
  from pg_trigger tg join rels r on r.oid = tg.tgrelid
  where not tg.tgisinternal
  union all
  select 'policy', r.nspname || '.' || r.relname || '.' || p.polname,
         'cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive ||
         ' roles=' || coalesce((select string_agg(rn, ',' order by rn) from (select case when x = 0 then 'public' else pg_get_userbyid(x)::text end as rn from unnest(p.polroles) x) q), '') ||
         ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') ||
         ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ||
         ' comment=' || coalesce(obj_description(p.oid, 'pg_policy'), '')
  from pg_policy p join rels r on r.oid = p.polrelid
  union all
  select 'rule', r.nspname || '.' || r.relname || '.' || ru.rulename,
         pg_get_ruledef(ru.oid) || ' enabled=' || ru.ev_enabled::text ||
         ' comment=' || coalesce(obj_description(ru.oid, 'pg_rewrite'), '')
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
         ' attributes=' || coalesce((select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' order by a.attnum)
                                     from pg_attribute a where t.typtype = 'c' and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '') ||
         ' acl=' || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(t.typacl) a), '') ||
         ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '')
  from pg_type t join owned o on o.oid = t.typnamespace
  where (t.typtype in ('e','d','r','m') or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
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
  select 'extension', x.extname, 'schema=' || o.nspname || ' version=' || x.extversion ||
         ' comment=' || coalesce(obj_description(x.oid, 'pg_extension'), '')
  from pg_extension x join owned o on o.oid = x.extnamespace
  union all
  select 'statistics', o.nspname || '.' || s.stxname,
         pg_get_statisticsobjdef(s.oid) || ' target=' || s.stxstattarget || ' owner=' || pg_get_userbyid(s.stxowner) ||
         ' comment=' || coalesce(obj_description(s.oid, 'pg_statistic_ext'), '')
  from pg_statistic_ext s join owned o on o.oid = s.stxnamespace
  union all
  select 'publication table', pub.pubname || ' ' || r.nspname || '.' || r.relname,
         'where=' || coalesce(pg_get_expr(pr.prqual, pr.prrelid), '') ||
         ' columns=' || coalesce((select string_agg(a.attname, ',' order by a.attname) from pg_attribute a
                                  where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)), '')
  from pg_publication_rel pr join pg_publication pub on pub.oid = pr.prpubid join rels r on r.oid = pr.prrelid
  union all
  select 'publication schema', pub.pubname || ' ' || o.nspname, ''
  from pg_publication_namespace pn join pg_publication pub on pub.oid = pn.pnpubid join owned o on o.oid = pn.pnnspid
  union all
  select 'publication all tables', pub.pubname,
         'insert=' || pub.pubinsert || ' update=' || pub.pubupdate || ' delete=' || pub.pubdelete ||
         ' truncate=' || pub.pubtruncate || ' via_root=' || pub.pubviaroot
  from pg_publication pub where pub.puballtables
  union all
  select 'default privileges', pg_get_userbyid(da.defaclrole) || ' in ' || o.nspname || ' on ' || da.defaclobjtype::text,
         coalesce((select string_agg(a::text, ',' order by a::text) from unnest(da.defaclacl) a), '')
  from pg_default_acl da join owned o on o.oid = da.defaclnamespace
  union all
  select 'outside dependent', i.type || ' ' || i.identity,
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
         end
  from outside_dependents od cross join lateral pg_identify_object(od.classid, od.objid, od.objsubid) i
) facts
)SQL";

}  // namespace migsafe::pg
