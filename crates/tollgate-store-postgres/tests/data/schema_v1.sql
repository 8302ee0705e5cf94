-- A PostgreSQL database written by tollgate at commit a15dedb (schema version 1, the last before
-- an account's state was sealed whole), by tollgate-store-postgres and
-- tollgate::store::conformance of that commit, dumped with pg_dump 15 (--inserts
-- --column-inserts --no-owner --no-privileges, comments and psql commands removed):
--   PostgresStore::connect(url, SealingKey::new([0x11; 32]))
--   Cluster::new(.., Config::default(), seed 41); conformance::enroll(node, 42)
--   then jane.doe@example.com registered and taken to a pending desktop activation
--   (39253-18226), bob@example.com registered and given three wrong passwords, and a login of
--   john.smith@example.com left at the token code.
-- john.smith@example.com: version 5, desktop token 07106-22051, secret (base32)
-- 65HHK3QSHJ5COXRMXWMYLR7SKE; clock 1700000000.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.tollgate_logins (
    id bytea NOT NULL,
    state text NOT NULL,
    expires_at bigint NOT NULL
);
CREATE TABLE public.tollgate_schema (
    one boolean DEFAULT true NOT NULL,
    version integer NOT NULL,
    CONSTRAINT tollgate_schema_one_check CHECK (one)
);
CREATE TABLE public.tollgate_serials (
    serial text NOT NULL,
    user_id text NOT NULL
);
CREATE TABLE public.tollgate_users (
    id text NOT NULL,
    password_hash text NOT NULL,
    mobile text,
    email text,
    version bigint NOT NULL,
    password_failures bigint NOT NULL,
    code_failures bigint NOT NULL,
    lockouts bigint NOT NULL,
    locked_until bigint,
    token_serial text,
    token_secret bytea,
    token_algorithm text,
    token_digits bigint,
    token_period bigint,
    token_t0 bigint,
    token_last_step bigint,
    token_drift bigint,
    pending_serial text,
    pending_activation_code bytea,
    pending_policy text,
    pending_expires_at bigint,
    pending_kind text,
    CONSTRAINT tollgate_users_check CHECK (((token_serial IS NULL) = (token_secret IS NULL))),
    CONSTRAINT tollgate_users_check1 CHECK (((pending_serial IS NULL) = (pending_activation_code IS NULL))),
    CONSTRAINT tollgate_users_code_failures_check CHECK ((code_failures >= 0)),
    CONSTRAINT tollgate_users_lockouts_check CHECK ((lockouts >= 0)),
    CONSTRAINT tollgate_users_password_failures_check CHECK ((password_failures >= 0)),
    CONSTRAINT tollgate_users_pending_kind_check CHECK ((pending_kind = ANY (ARRAY['mobile'::text, 'desktop'::text]))),
    CONSTRAINT tollgate_users_version_check CHECK ((version >= 0))
);
INSERT INTO public.tollgate_logins (id, state, expires_at) VALUES ('\x1f834724bd8dae48a4d8d1013ab7fd7fe549a6c7ce96357cce271d0dab3d3376', '{"v":1,"id":"788187a2fa3e9c89569f395ff88f8d89","deadline":1700000900,"stage":{"s":"authenticated","user":"john.smith@example.com"}}', 1700000900);
INSERT INTO public.tollgate_logins (id, state, expires_at) VALUES ('\x6312ea58922e7944aaf2aabd4ffdbb9b35c77a91ba30a18c77c856aee33ff94b', '{"v":1,"id":"5dfe6b67262064a676e83ea2c42412ef","deadline":1700000900,"stage":{"s":"expect_registration","user":"jane.doe@example.com","kind":"Desktop"}}', 1700000900);
INSERT INTO public.tollgate_logins (id, state, expires_at) VALUES ('\xe94ebba96455b3e078ce04c809bc9e0808e7e2cfc70db2f93364e63e179c4ca0', '{"v":1,"id":"2daf81766d41ce85d0dffc3d61c8a51d","deadline":1700000900,"stage":{"s":"expect_password","user":"bob@example.com"}}', 1700000900);
INSERT INTO public.tollgate_logins (id, state, expires_at) VALUES ('\xd24d718f9e71468665460985d20bc9001a88d7c160690116d96ac024d7165a0c', '{"v":1,"id":"75c33181d4282a20b3bed73e08e5d056","deadline":1700000900,"stage":{"s":"expect_token_code","user":"john.smith@example.com"}}', 1700000900);
INSERT INTO public.tollgate_schema (one, version) VALUES (true, 1);
INSERT INTO public.tollgate_serials (serial, user_id) VALUES ('39253-18226', 'jane.doe@example.com');
INSERT INTO public.tollgate_serials (serial, user_id) VALUES ('07106-22051', 'john.smith@example.com');
INSERT INTO public.tollgate_users (id, password_hash, mobile, email, version, password_failures, code_failures, lockouts, locked_until, token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, token_last_step, token_drift, pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind) VALUES ('jane.doe@example.com', '$argon2id$v=19$m=8,t=1,p=1$lXJDd8Gnz3+5gX0OKwANxQ$tqvKKpjoiNGpZxcvwupqigxA4ENZe30UnIrKLKowb8Y', NULL, 'jane.doe@example.com', 3, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '39253-18226', '\x01effe1767c2da1434d1848bf131c7767b3f95beb951e1d3195d5d0f86c63dd585655bb382dce1d5c61f1503b8b7a1a539a933195aa563a341179acf', NULL, 1700000600, 'desktop');
INSERT INTO public.tollgate_users (id, password_hash, mobile, email, version, password_failures, code_failures, lockouts, locked_until, token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, token_last_step, token_drift, pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind) VALUES ('bob@example.com', '$argon2id$v=19$m=8,t=1,p=1$+i46zkqRQ2MR3EybpbHc2Q$RCRpL0hzMl3yH6AciUpwpXrAf2ZwvS5KZVFwZtkVgt4', '+33612345678', NULL, 3, 3, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.tollgate_users (id, password_hash, mobile, email, version, password_failures, code_failures, lockouts, locked_until, token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, token_last_step, token_drift, pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind) VALUES ('john.smith@example.com', '$argon2id$v=19$m=8,t=1,p=1$Nnt/kul82/VX5U6EcdF0BQ$MATGvpgTjyBi5eea4zSkvMUtzRg2zBIp+6ABc+wWsgM', '+16132701234', 'john.smith@example.com', 5, 0, 0, 0, NULL, '07106-22051', '\x010eb3c1132f190f1d99e02dd91f4a2a398dfc0ad947a1ed0e80154ce220cb74e101a66dbeedd9fdc6a2dd586b0e9fd474a39eb501803e8107', 'SHA256', 6, 30, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL);
ALTER TABLE ONLY public.tollgate_logins
    ADD CONSTRAINT tollgate_logins_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.tollgate_schema
    ADD CONSTRAINT tollgate_schema_pkey PRIMARY KEY (one);
ALTER TABLE ONLY public.tollgate_serials
    ADD CONSTRAINT tollgate_serials_pkey PRIMARY KEY (serial);
ALTER TABLE ONLY public.tollgate_users
    ADD CONSTRAINT tollgate_users_pkey PRIMARY KEY (id);
CREATE INDEX tollgate_logins_by_expiry ON public.tollgate_logins USING btree (expires_at);
CREATE INDEX tollgate_serials_by_user ON public.tollgate_serials USING btree (user_id);
ALTER TABLE ONLY public.tollgate_serials
    ADD CONSTRAINT tollgate_serials_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.tollgate_users(id) ON DELETE CASCADE;
