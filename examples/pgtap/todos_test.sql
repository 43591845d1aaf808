-- pgTAP tests for the example schema, as `supabase test db` would run them.
begin;
select plan(5);

select has_table('public', 'todos', 'todos table exists');
select col_not_null('public', 'todos', 'title', 'a todo needs a title');
select policies_are('public', 'todos',
  array['todos: owner reads', 'todos: owner inserts', 'todos: owner updates', 'todos: owner deletes'],
  'todos has exactly the owner policies');
select is((select count(*) from public.profiles)::int, 2, 'the sign-up trigger made a profile per user');
select throws_ok(
  $$insert into public.todos (user_id, title) values ('00000000-0000-0000-0000-000000000001', '')$$,
  '23514', null, 'empty titles are refused');

select * from finish();
rollback;
