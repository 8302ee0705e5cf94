-- A PostgreSQL database written by tollgate 0.2.0 (commit 31cedd4, schema version 4, the last
-- before the ledger: each row's state sealed alone, the password hash and contacts in plain
-- columns), by tollgate-store-postgres and tollgate_store::conformance of that commit, dumped
-- with pg_dump 15 (--inserts --column-inserts --no-owner --no-privileges, comments and psql
-- commands removed):
--   PostgresStore::connect(url, SealingKey::new([0x45; 32]))
--   Cluster::new(.., Config::default(), seed 71); conformance::enroll(node, 72)
--   then bob@example.com registered, and one wrong password counted for 192.0.2.9.
-- john.smith@example.com: version 4, token 10164-09458, secret (base32)
-- 3LCPJKRPXX7TG5X33LT37HJPL4; clock 1700000000.
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
CREATE TABLE public.tollgate_audit (
    seq bigint NOT NULL,
    at bigint NOT NULL,
    user_id text NOT NULL,
    kind text NOT NULL,
    detail text NOT NULL
);
CREATE SEQUENCE public.tollgate_audit_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.tollgate_audit_seq_seq OWNED BY public.tollgate_audit.seq;
CREATE TABLE public.tollgate_logins (
    id bytea NOT NULL,
    version bigint NOT NULL,
    state text NOT NULL,
    expires_at bigint NOT NULL,
    CONSTRAINT tollgate_logins_version_check CHECK ((version >= 0))
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
CREATE TABLE public.tollgate_throttle (
    client bytea NOT NULL,
    window_start bigint NOT NULL,
    failures bigint NOT NULL,
    CONSTRAINT tollgate_throttle_failures_check CHECK ((failures >= 0))
);
CREATE TABLE public.tollgate_users (
    id text NOT NULL,
    password_hash text NOT NULL,
    mobile text,
    email text,
    version bigint NOT NULL,
    state bytea NOT NULL,
    CONSTRAINT tollgate_users_version_check CHECK ((version >= 0))
);
COMMENT ON COLUMN public.tollgate_users.state IS 'The account''s whole state (counters, lock, token, pending activation), sealed (XChaCha20-Poly1305) by the service''s key and bound to the user and the version.';
ALTER TABLE ONLY public.tollgate_audit ALTER COLUMN seq SET DEFAULT nextval('public.tollgate_audit_seq_seq'::regclass);
INSERT INTO public.tollgate_logins (id, version, state, expires_at) VALUES ('\x467c3e2fdc070118944969dcbbc5b735dc3cb9a947f22e46be7dbd8ef08e6077', 6, 'tl3:16e9d363:778b99496277d63e0ab2cee061caafca53b64051d778643225a260ce402e7adb:{"v":3,"id":"aaaffbdc68ec6db40664c180d27d917c","deadline":1700000900,"stage":{"session":{"user":"john.smith@example.com"}},"on_device":true}', 1700004500);
INSERT INTO public.tollgate_schema (one, version) VALUES (true, 4);
INSERT INTO public.tollgate_serials (serial, user_id) VALUES ('10164-09458', 'john.smith@example.com');
INSERT INTO public.tollgate_throttle (client, window_start, failures) VALUES ('\xc869f38779fe55b5412d90cb79921cd9b6d13af6297f7ab3f62ffbd13fa7d7c7', 1700000000, 1);
INSERT INTO public.tollgate_users (id, password_hash, mobile, email, version, state) VALUES ('john.smith@example.com', '$argon2id$v=19$m=8,t=1,p=1$c3RhbmQtaW4$c3RhbmQtaW4', '+16132701234', 'john.smith@example.com', 4, '\x0337d06b35f272e7bcb452f77a86dd9e930987dde0e3063192314efde10a140d0e57d1ee10c72bfdef0d593b495e873e079cf96e359129ff4c4bd0db5363d9179ef577314a5491c41e9ce02c9f51c5ffbb497c3583549f08481ab429acef7b57ed51f39d2799a8f2042ebe65548ff8c28df089e75ecbf694ae611fd429d9dfe3e010c583e517d66fa7418f7b493ae07dafca4592ea66ca7c96d643968c29c8a4f87aa58910825ffa0fae3423ee915749bf5a6477ff9e2046bd2ad108a0059d860bce8a532d30ecb5715440163ffcb48526377d0b061a7e4850f9c40e6017512083626dac0ab6a997f18d71fcbbbae0abbc116c0d5dced7d1be09a464057c4b92dc355d02a575008b1e213b7f7618cf958c59e0b42cdeb549f4d4dcdc86b98dc537c5bcc2aa609424f00e9b1fd4081bcf846b4e71181514d35b6b4841597ce8f3fa51e5530b45be4406a33977d10631b472655d75eef0bde130e5fe3bd8d7c52af6c2724d908e9300b3550b85dbf11317d32e8869a72004881f6352cc00b945e3de5d614602ba6c84a6dbb2bd975686e67527d59d4d8c36dfc8d0a5628decd7c0a2c950a1373e3684f2e315f1d68dc447052042bdc23931316b4e11cc551826fc28a656581d28b22ca215f3a7ef3151c148adbc0434d962d6e3649be313b77f3f5d03d4f5a661c73956dcccb597c39dc470a99e36b612703a23d950d86844c9494fee717bcf63bb1b0c7cc9b7be9d7ec44bcf6973a29a9f57ced6d81fb9f2aa992ad60184103d3e83e8a3e49adc8117c4fed1e9de5bb4cbf34314ae6fa87478b2d80ec0b6b54fb11e72f1bf311f50b71988a17cd13603bf618644cccb9f8612830decd3808f5dec4962eb099c403fd798413723a919a5a4fc9b548dc6085a3aa520b32d8dc90d9d1942f2cd48653660753ea0062f9ffc8de4a26e392f2de3a5ec9b80b964081cb2424e4516e23bf606a419b50a95ca2d0800f2712b5a96e0739192414332463cbcc3d94166b02572f0579fb186cf6f09b870f3ce67bdb03fff7d411a222ada12dd058cc4df28612437bc4ac984d05a0d3c62ddde886b0a12e0943e8f3529565c2e5ee9bd8421a31b18c149e736f5599798eb6778189598de8824157b8fd4460d49e8fd40ff2145d7df00d6f6fbbcde67ba47ce8d0548aa4ebd2a1df5a4b536da10e3b33143bbafa6c95f6c8a67497b1ba10fd7a2b16db8fe545b968cbbd19ad357e83a5d362f971371ffe0d73476729f9dd5bfb0f4b153695648d018597208ea4f61c637503c1fb0797d4723f1a637ad59cb51079c1000a7e44b24a882a6c99ffa1335863a98dc15959daa3b526997de2e2c93962cb217b03893d3d65efcc7b960b1f69834b613660955348b16d96957e1c3d6a999c5a22bd1e9ed919885c2caae7b32e709fc82a789af2ba960a365c922335a9f7995b30ba1d23f85328adf4a60fc5f9d96a771b1bf04c0a84c6c4ad1a5d4a6a8c6f99297ebe6b449deed3fd7865dd77cd8041bde5be42556ae21cab256f7dbfb34ae78404043a8f640f0895bb0be3595e299d96e094948399e777228b762c72af99ff37d0d37d9a5efe9f453b501274218d5185f1ef97c8fb85447d3c142db7897230c154a499110cda832989cb16888e37d49a50de7363c1d797a69de26937ca08c3f80363afe8b5cf8aeb8539fe033c7dcfa812e70de245a35f797e1b64467b5c47384283b650f5cdb5c1b4ae13101ed0459238ccddc3636d5936f8ef630027c124481bdaacd527561c1b9bcfc6ae343d185ebaa40af3eabef42d3fa8f24a358cc745f5f5ba1f820387d9634d8e68c3e211877cd9c8c');
INSERT INTO public.tollgate_users (id, password_hash, mobile, email, version, state) VALUES ('bob@example.com', '$argon2id$v=19$m=8,t=1,p=1$c3RhbmQtaW4$c3RhbmQtaW4', '+16132701234', 'bob@example.com', 0, '\x0337d06b35306647aaebd5f62e7e1205f881c5d50cd7f0139f816b7456668278c2197fe09b7a9109bd6dd3debf527fb4dfcbb7011eaf59f1fb08751a24c15dbedb4b93504c5377419263fc61e6f8af6eef987fa9972bdf78138e38ec4a4679b45e0cd230b9b6318055d0e2c1efbb41039b761e2560a8fc9eb98cd92846f4349070bf028dee76b5a2978e053c84677641e4f6d2ec56ee1573dbc835b42e071d7e128da8ed8511219ce6cc1765c6367a4766fd606a2d174eb2877d5d5382ea4074bfe1fc1e45266814486886eb31d0afb5338211b928cb3366cb1338823864ba03b11b71eefe58e2c4d5c001311dbcef17762eeff446f48cc1586604');
SELECT pg_catalog.setval('public.tollgate_audit_seq_seq', 1, false);
ALTER TABLE ONLY public.tollgate_audit
    ADD CONSTRAINT tollgate_audit_pkey PRIMARY KEY (seq);
ALTER TABLE ONLY public.tollgate_logins
    ADD CONSTRAINT tollgate_logins_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.tollgate_schema
    ADD CONSTRAINT tollgate_schema_pkey PRIMARY KEY (one);
ALTER TABLE ONLY public.tollgate_serials
    ADD CONSTRAINT tollgate_serials_pkey PRIMARY KEY (serial);
ALTER TABLE ONLY public.tollgate_throttle
    ADD CONSTRAINT tollgate_throttle_pkey PRIMARY KEY (client);
ALTER TABLE ONLY public.tollgate_users
    ADD CONSTRAINT tollgate_users_pkey PRIMARY KEY (id);
CREATE INDEX tollgate_audit_by_time ON public.tollgate_audit USING btree (at);
CREATE INDEX tollgate_audit_by_user ON public.tollgate_audit USING btree (user_id, seq);
CREATE INDEX tollgate_logins_by_expiry ON public.tollgate_logins USING btree (expires_at);
CREATE INDEX tollgate_serials_by_user ON public.tollgate_serials USING btree (user_id);
CREATE INDEX tollgate_throttle_by_window ON public.tollgate_throttle USING btree (window_start);
ALTER TABLE ONLY public.tollgate_serials
    ADD CONSTRAINT tollgate_serials_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.tollgate_users(id) ON DELETE CASCADE;
