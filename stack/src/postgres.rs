//! A PostgreSQL server from Debian's packages on a loopback port, its data in a temporary
//! folder: the legacy user store of the user migration tests and the demo.
//!
//! The server runs as the `postgres` user when the tests run as root (`initdb` refuses root),
//! with password authentication (SCRAM) on, as a real store has, and `fsync` off, since its
//! data lives only as long as the test.

use super::*;

/// The password of the server's `postgres` role.
const PASSWORD: &str = "legacy-store-password-0123";

/// The running server.
#[derive(Debug)]
pub struct Postgres {
    /// `None` only while dropping: the server stops before its folder goes.
    service: Option<Service>,
    pub port: u16,
    bin: PathBuf,
    dir: PathBuf,
}

/// Where Debian installs the server's programs: `/usr/lib/postgresql/<version>/bin` (the newest),
/// or `PG_BIN`.
pub fn postgres_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program args...`, as the `postgres` user when running as root.
fn as_server_user(program: &Path, args: &[String]) -> Command {
    if running_as_root() {
        let quoted: Vec<String> = std::iter::once(program.display().to_string())
            .chain(args.iter().cloned())
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        let mut cmd = Command::new("su");
        cmd.args(["postgres", "-s", "/bin/sh", "-c", &format!("exec {}", quoted.join(" "))]);
        cmd
    } else {
        let mut cmd = Command::new(program);
        cmd.args(args);
        cmd
    }
}

impl Postgres {
    /// Starts a new server, or returns `None` after saying why `test` skips (PostgreSQL is not
    /// installed; `make test` installs it). Panics instead when the stack is required.
    pub fn start(test: &str) -> Option<Postgres> {
        let Some(bin) = postgres_bin() else {
            let msg = format!(
                "{test}: PostgreSQL is not installed (/usr/lib/postgresql/*/bin; `make test` installs Debian's postgresql)"
            );
            assert!(!stack_required(), "{msg}");
            skipped(&msg);
            return None;
        };
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("cognito-reset-postgres-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("postgres dir");
        let pwfile = dir.join("pwfile");
        std::fs::write(&pwfile, PASSWORD).expect("pwfile");
        if running_as_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(owned, "chown postgres {}", dir.display());
        }
        let data = dir.join("data");
        let init = as_server_user(
            &bin.join("initdb"),
            &[
                "-D".into(),
                data.display().to_string(),
                "-U".into(),
                "postgres".into(),
                "--auth=scram-sha-256".into(),
                format!("--pwfile={}", pwfile.display()),
                "--no-sync".into(),
                "--encoding=UTF8".into(),
                "--locale=C".into(),
            ],
        )
        .output()
        .expect("initdb");
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let cmd = as_server_user(
            &bin.join("postgres"),
            &[
                "-D".into(),
                data.display().to_string(),
                "-p".into(),
                port.to_string(),
                "-k".into(),
                dir.display().to_string(),
                "-c".into(),
                "listen_addresses=127.0.0.1".into(),
                "-c".into(),
                "fsync=off".into(),
                "-c".into(),
                "log_min_messages=warning".into(),
            ],
        );
        let service = Service::spawn(cmd, port, "postgres", &dir.join("server.log"));
        let server = Postgres {
            service: Some(service),
            port,
            bin,
            dir,
        };
        // Listening comes a moment before accepting sign-ins.
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.try_sql("SELECT 1").is_err() {
            assert!(
                Instant::now() < deadline,
                "postgres did not accept connections: {}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    /// The URL of database `db` for the `postgres` role, over plain TCP to loopback.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// The role's password (tests check that it never reaches a log).
    pub fn password(&self) -> &'static str {
        PASSWORD
    }

    /// Runs `sql` with psql in database `postgres`; its output (tuples only, unaligned).
    pub fn try_sql(&self, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-p", &self.port.to_string()])
            .env("PGPASSWORD", PASSWORD)
            .env("PGCONNECT_TIMEOUT", "5")
            .arg("-c")
            .arg(sql)
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Runs `sql`, panicking with psql's message when it fails.
    pub fn sql(&self, sql: &str) -> String {
        self.try_sql(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Makes every recorded password `days` old (the fixture's times are fixed dates; a flow
    /// under a maximum age needs them relative to today).
    pub fn passwords_set_days_ago(&self, days: u32) {
        self.sql(&format!(
            "UPDATE users SET password_set_at = now() - interval '{days} days' WHERE password_set_at IS NOT NULL"
        ));
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Creates the legacy `users` table of a typical web app and fills it with the users of
    /// `tests/fixtures/legacy/users.json` (one per hash format).
    pub fn load_legacy_users(&self) -> Vec<serde_json::Value> {
        let users = legacy_users();
        let text = |v: &serde_json::Value| match v.as_str() {
            Some(s) => format!("'{}'", s.replace('\'', "''")),
            None => "NULL".to_owned(),
        };
        let mut sql = String::from(
            "CREATE TABLE users (
               id bigserial PRIMARY KEY,
               email text NOT NULL UNIQUE,
               password_hash text,
               email_confirmed boolean NOT NULL DEFAULT false,
               phone text,
               phone_confirmed boolean NOT NULL DEFAULT false,
               first_name text,
               password_set_at timestamptz,
               created_at timestamp NOT NULL DEFAULT now()
             );\n",
        );
        for u in &users {
            sql.push_str(&format!(
                "INSERT INTO users (email, password_hash, email_confirmed, phone, phone_confirmed, first_name, password_set_at) VALUES ({}, {}, {}, {}, {}, {}, {});\n",
                text(&u["email"]),
                text(&u["password_hash"]),
                u["email_verified"] == true,
                text(&u["phone_number"]),
                u["phone_number_verified"] == true,
                text(&u["given_name"]),
                text(&u["password_changed_at"]),
            ));
        }
        self.sql(&sql);
        users
    }
}

/// The query that reads [`Postgres::load_legacy_users`]'s table, its columns named as Cognito
/// names the attributes.
pub const LEGACY_USER_QUERY: &str = "SELECT password_hash, email, email_confirmed AS email_verified, phone AS phone_number, phone_confirmed AS phone_number_verified, first_name AS given_name, password_set_at AS password_changed_at FROM users WHERE lower(email) = lower($1)";

/// One user per hash format, each hash made by the format's own library, with its password
/// (`tests/fixtures/legacy/users.json`, written by `make_users.py` beside it).
pub fn legacy_users() -> Vec<serde_json::Value> {
    let path = root().join("tests/fixtures/legacy/users.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // The service stops the server (its process group, SIGTERM); then its data goes.
        drop(self.service.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
