select 1\g
select 2;
\if :a
select 3;
\endif
copy t from stdin;
1
\.
