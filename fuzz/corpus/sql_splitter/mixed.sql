select 1; select $$ a;b $$; create function f() returns int begin atomic select 1; end;
