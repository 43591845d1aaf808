-- A migration with a mistake on line 7: the column is called "done", not "completed".
alter table public.todos add column completed_at timestamptz;

update public.todos
   set completed_at = now()
 where done
   and completed;
