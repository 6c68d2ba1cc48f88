/// The schema of the case store on PostgreSQL, in the database's `iproceeds` schema, versioned like the SQLite case
/// file's: `iproceeds.schema_info.version`, and one list of statements per migration.
///
/// Every table is partitioned by `case_ref` (the case a row belongs to, as the URL's `?case=` names it), so one
/// database holds a unit's cases. The ledger also keeps each entry's own signed `case_id`, so that a row moved
/// into another case's ledger is seen by verification as an entry from another case.
///
/// What the server itself enforces, whatever client writes:
/// - append-only: triggers refuse UPDATE, DELETE and TRUNCATE on the ledger, cases, examiners, items and manifests;
/// - one chain: a BEFORE INSERT trigger refuses a ledger entry that is not `seq = head + 1` with `prev_hash` equal
///   to the head's `entry_hash`, and `(case_ref, seq)` is the primary key, so concurrent writers cannot fork it;
/// - exactly once: `entry_hash` is unique, so a retried entry can never be stored twice;
/// - a role `iproceeds_examiner` with SELECT and INSERT only (and DELETE on item reservations, which are not
///   custody records), to grant to examiners' login roles.
enum PostgresSchema {
    /// The newest schema this build knows.
    static let version = 1
    /// The advisory-lock class for this tool's locks: `pg_advisory_xact_lock(lockClass, hashtext(case))`.
    static let lockClass: Int32 = 0x6950_5243  // "iPRC", as the SQLite application id
    /// The advisory lock (in `lockClass`) held while the schema is created or migrated.
    static let migrationLock: Int32 = 0

    /// Statements run once, before any migration, to have somewhere to record the version.
    static let bootstrap: [String] = [
        "CREATE SCHEMA IF NOT EXISTS iproceeds",
        """
        CREATE TABLE IF NOT EXISTS iproceeds.schema_info (
            singleton integer PRIMARY KEY CHECK (singleton = 1), version integer NOT NULL)
        """,
    ]

    /// Migrations, in order: entry `i` brings the schema from version `i` to `i + 1`.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE iproceeds.cases (case_ref text PRIMARY KEY, title text NOT NULL, created text NOT NULL)",
            """
            CREATE TABLE iproceeds.examiners (
                case_ref text NOT NULL REFERENCES iproceeds.cases, public_key text NOT NULL, examiner_id text NOT NULL,
                name text NOT NULL, registered_seq bigint NOT NULL, PRIMARY KEY (case_ref, public_key))
            """,
            """
            CREATE TABLE iproceeds.manifests (
                case_ref text NOT NULL REFERENCES iproceeds.cases, sha256 text NOT NULL, format text NOT NULL,
                size bigint NOT NULL, storage text NOT NULL, PRIMARY KEY (case_ref, sha256))
            """,
            """
            CREATE TABLE iproceeds.manifest_chunks (
                case_ref text NOT NULL, sha256 text NOT NULL, chunk integer NOT NULL, size integer NOT NULL,
                data bytea NOT NULL, PRIMARY KEY (case_ref, sha256, chunk),
                FOREIGN KEY (case_ref, sha256) REFERENCES iproceeds.manifests)
            """,
            """
            CREATE TABLE iproceeds.items (
                case_ref text NOT NULL REFERENCES iproceeds.cases, item_id text NOT NULL, description text NOT NULL,
                acquired_seq bigint NOT NULL, manifest_sha256 text NOT NULL, PRIMARY KEY (case_ref, item_id),
                FOREIGN KEY (case_ref, manifest_sha256) REFERENCES iproceeds.manifests)
            """,
            """
            CREATE TABLE iproceeds.item_reservations (
                case_ref text NOT NULL REFERENCES iproceeds.cases, item_id text NOT NULL, examiner_id text NOT NULL,
                host text NOT NULL, pid bigint NOT NULL, started text NOT NULL, PRIMARY KEY (case_ref, item_id))
            """,
            """
            CREATE TABLE iproceeds.ledger (
                case_ref text NOT NULL REFERENCES iproceeds.cases, seq bigint NOT NULL, time text NOT NULL,
                case_id text NOT NULL, examiner_id text NOT NULL, public_key text NOT NULL, action text NOT NULL,
                items text NOT NULL, inputs text NOT NULL, outputs text NOT NULL, tool text NOT NULL,
                tool_version text NOT NULL, parameters text NOT NULL, note text NOT NULL, prev_hash text NOT NULL,
                entry_hash text NOT NULL UNIQUE, signature text NOT NULL, PRIMARY KEY (case_ref, seq))
            """,
            """
            CREATE FUNCTION iproceeds.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the custody records are append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """,
            """
            CREATE FUNCTION iproceeds.ledger_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                head_seq bigint;
                head_hash text;
            BEGIN
                SELECT seq, entry_hash INTO head_seq, head_hash FROM iproceeds.ledger
                    WHERE case_ref = NEW.case_ref ORDER BY seq DESC LIMIT 1;
                IF NEW.seq <> COALESCE(head_seq, 0) + 1 OR NEW.prev_hash <> COALESCE(head_hash, repeat('0', 64)) THEN
                    RAISE EXCEPTION 'entry % does not extend the ledger of case % (head %)', NEW.seq, NEW.case_ref,
                        COALESCE(head_seq, 0) USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END $$
            """,
            """
            CREATE TRIGGER ledger_extends_head BEFORE INSERT ON iproceeds.ledger
                FOR EACH ROW EXECUTE FUNCTION iproceeds.ledger_extends_head()
            """,
        ]
            + ["cases", "examiners", "manifests", "manifest_chunks", "items", "ledger"].flatMap { table in
                [
                    """
                    CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON iproceeds.\(table)
                        FOR EACH ROW EXECUTE FUNCTION iproceeds.refuse_change()
                    """,
                    """
                    CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON iproceeds.\(table)
                        FOR EACH STATEMENT EXECUTE FUNCTION iproceeds.refuse_change()
                    """,
                ]
            }
            + [
                """
                DO $$ BEGIN
                    CREATE ROLE iproceeds_examiner NOLOGIN;
                EXCEPTION
                    -- The role is cluster-wide: it exists (duplicate_object), or another database's migration is
                    -- creating it at this moment (unique_violation on pg_authid); either way it is there.
                    WHEN duplicate_object OR unique_violation THEN NULL;
                END $$
                """,
                "GRANT USAGE ON SCHEMA iproceeds TO iproceeds_examiner",
                "GRANT SELECT ON iproceeds.schema_info TO iproceeds_examiner",
                """
                GRANT SELECT, INSERT ON iproceeds.cases, iproceeds.examiners, iproceeds.manifests,
                    iproceeds.manifest_chunks, iproceeds.items, iproceeds.ledger TO iproceeds_examiner
                """,
                "GRANT SELECT, INSERT, DELETE ON iproceeds.item_reservations TO iproceeds_examiner",
            ]
    ]
}
