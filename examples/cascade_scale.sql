-- A million synthetic tasks for timing the cascade reads on PostgreSQL: 100 agencies, one conclusion
-- (999-KL/TW) carried out by 1,000 plans of 1,000 tasks each, every task with a presiding agency.
-- Usage, on an empty migrated database (about 2 minutes, then 2.5 for the search index):
--   createdb scale && DATABASE_URL=postgres://…/scale directives migrate
--   psql -d scale -f examples/cascade_scale.sql && DATABASE_URL=postgres://…/scale directives migrate
-- The second migrate indexes the inserted rows for search; examples/cascade_timings.sh then times the reads.
INSERT INTO agency (id, code, name, name_i18n, kind, level, version, created_at, updated_at)
SELECT gen_random_uuid(), 'AG-' || g, 'Cơ quan số ' || g, '{}', 'MINISTRY', 'CENTRAL', 1, now(), now() FROM generate_series(0, 99) g;
INSERT INTO document (id, symbol, symbol_number, symbol_year, symbol_type_code, symbol_issuer_code, system, kind, issuer_id, issued_on, issued_year, title, title_i18n, summary_i18n, status, version, created_at, updated_at)
SELECT gen_random_uuid(), g || '/KH-UBND', g::text, NULL, 'KH', 'UBND', 'STATE', 'PLAN', (SELECT id FROM agency WHERE code = 'AG-' || (g % 100)), date '2020-01-01' + (g % 1500), 2020 + (g % 1500) / 366, 'Kế hoạch thực hiện số ' || g, '{}', '{}', 'IN_FORCE', 1, now(), now()
FROM generate_series(1, 1000) g;
UPDATE document SET issued_year = extract(year from issued_on);
INSERT INTO document (id, symbol, symbol_number, symbol_year, symbol_type_code, symbol_issuer_code, system, kind, issuer_id, issued_on, issued_year, title, title_i18n, summary_i18n, status, version, created_at, updated_at)
VALUES (gen_random_uuid(), '999-KL/TW', '999', NULL, 'KL', 'TW', 'PARTY', 'CONCLUSION', (SELECT id FROM agency WHERE code = 'AG-0'), date '2019-06-15', 2019, 'Kết luận gốc', '{}', '{}', 'IN_FORCE', 1, now(), now());
INSERT INTO document_relation (id, from_id, to_id, kind, created_at)
SELECT gen_random_uuid(), d.id, (SELECT id FROM document WHERE symbol = '999-KL/TW'), 'IMPLEMENTS', now() FROM document d WHERE d.symbol <> '999-KL/TW';
CREATE TEMP TABLE docs AS SELECT id, issued_on, row_number() OVER (ORDER BY id) - 1 AS n FROM document WHERE symbol <> '999-KL/TW';
INSERT INTO task (id, document_id, code, title_i18n, content, content_i18n, deadline_kind, deadline_date, deadline_year, deadline_recurrence, progress_state, completed_on, due_on, version, created_at, updated_at)
SELECT gen_random_uuid(), d.id, g::text, '{}', 'Nhiệm vụ số ' || g || ' về thông tin đối ngoại', '{}',
  k.kind,
  CASE WHEN k.kind = 'DATE' THEN d.issued_on + (g % 1200) END,
  CASE WHEN k.kind = 'YEAR' THEN 2021 + g % 8 END,
  CASE WHEN k.kind = 'RECURRING' THEN (ARRAY['MONTHLY','QUARTERLY','SEMIANNUAL','YEARLY'])[1 + g % 4] END,
  s.state,
  CASE WHEN s.state = 'COMPLETED' THEN d.issued_on + (g % 900) END,
  CASE WHEN k.kind = 'DATE' THEN d.issued_on + (g % 1200) WHEN k.kind = 'YEAR' THEN make_date(2021 + g % 8, 12, 31) END,
  1, now(), now()
FROM generate_series(1, 1000000) g
JOIN docs d ON d.n = g % 1000
CROSS JOIN LATERAL (SELECT (ARRAY['DATE','DATE','YEAR','NONE','RECURRING'])[1 + (g / 7) % 5] AS kind) k
CROSS JOIN LATERAL (SELECT (ARRAY['COMPLETED','COMPLETED','IN_PROGRESS','NOT_STARTED','CANCELLED','IN_PROGRESS'])[1 + (g / 3) % 6] AS state) s;
INSERT INTO task_assignment (id, task_id, agency_id, role, assigned_on, version, created_at, updated_at)
SELECT gen_random_uuid(), t.id, a.id, 'PRESIDING', d.issued_on, 1, now(), now()
FROM task t JOIN document d ON d.id = t.document_id JOIN agency a ON a.code = 'AG-' || (abs(hashtext(t.code)) % 100);
ANALYZE;
SELECT count(*) FROM task;
