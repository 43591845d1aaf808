-- Todos: each user sees and changes only their own.
create table public.todos (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  title text not null check (length(title) between 1 and 200),
  done boolean not null default false,
  created_at timestamptz not null default now()
);

alter table public.todos enable row level security;

create policy "todos: owner reads" on public.todos for select to authenticated
  using (user_id = (select auth.uid()));
create policy "todos: owner inserts" on public.todos for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "todos: owner updates" on public.todos for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "todos: owner deletes" on public.todos for delete to authenticated
  using (user_id = (select auth.uid()));
