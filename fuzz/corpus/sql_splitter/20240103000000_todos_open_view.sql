-- A view of open todos that respects the caller's row level security.
create index todos_user_id_idx on public.todos (user_id);

create view public.open_todos with (security_invoker = true) as
  select id, user_id, title, created_at from public.todos where not done;

-- Sample data: two users (the trigger creates their profiles) with a few todos.
insert into auth.users (id, email) values
  ('00000000-0000-0000-0000-000000000001', 'ada@example.com'),
  ('00000000-0000-0000-0000-000000000002', 'grace@example.com');
insert into public.todos (user_id, title) values
  ('00000000-0000-0000-0000-000000000001', 'write the migration'),
  ('00000000-0000-0000-0000-000000000001', 'review the backup'),
  ('00000000-0000-0000-0000-000000000002', 'ship it');
