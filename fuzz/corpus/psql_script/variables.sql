\set user_id '''00000000-0000-0000-0000-000000000001'''
\set name :'q'
select :user_id::uuid, :"q", :'name';
select 1 as n \gset
\echo n is :n
\unset n
\pset format unaligned
\t on
\x
select $$dollar ; quoted \set$$, E'escaped \' ; quote', 'ünïcödé — 😀';
/* block /* nested */ comment */ select 1; -- trailing
\i other.sql
\ir ./relative.sql
\q
