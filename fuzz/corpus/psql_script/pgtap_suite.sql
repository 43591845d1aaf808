\set ON_ERROR_STOP 1
\set QUIET true
begin;
select plan(2);
select has_table('public', 'todos', 'todos exists');
select is((select count(*)::int from public.todos), :a, 'one row');
select * from finish();
rollback;
