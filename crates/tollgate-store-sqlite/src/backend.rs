//! The [`Backend`] on SQLite: a small pool of connections to one file, write transactions in
//! `BEGIN IMMEDIATE`, statements prepared once per connection.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ErrorCode, ToSql, TransactionBehavior};
use tollgate_store::StoreError;
use tollgate_store::sql::{Backend, Connection, Finish, SqlError, Value};

use crate::Durability;

/// How long a connection waits for another one's write transaction before it reports an
/// error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// SQLite's busy handler: another connection holds the write lock, so wait a millisecond and
/// try again, up to [`BUSY_TIMEOUT`]. SQLite's own `busy_timeout` backs off to 100 ms between
/// tries, which under many racing writers (each transaction lasts well under a millisecond)
/// leaves the lock free most of the time it sleeps.
fn wait_for_the_writer(tries: i32) -> bool {
    let step = Duration::from_millis(1);
    let most = BUSY_TIMEOUT.as_millis() / step.as_millis();
    if u128::try_from(tries).unwrap_or(u128::MAX) >= most {
        return false;
    }
    std::thread::sleep(step);
    true
}

/// One SQLite file, and the connections kept open to it.
pub struct Sqlite {
    path: PathBuf,
    durability: Durability,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl core::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.path)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

pub(crate) fn sqlite_error(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend {
        context,
        source: Box::new(e),
    }
}

impl Sqlite {
    pub(crate) fn new(path: PathBuf, durability: Durability) -> Self {
        Self {
            path,
            durability,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn connect(&self) -> Result<rusqlite::Connection, StoreError> {
        let mut connection =
            rusqlite::Connection::open(&self.path).map_err(sqlite_error("sqlite: open"))?;
        connection
            .busy_handler(Some(wait_for_the_writer))
            .map_err(sqlite_error("sqlite: busy timeout"))?;
        let synchronous = match self.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        connection
            .execute_batch(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
                 PRAGMA foreign_keys = ON;"
            ))
            .map_err(sqlite_error("sqlite: setting up the connection"))?;
        Ok(connection)
    }

    pub(crate) fn put_back(&self, connection: rusqlite::Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
    }

    /// Runs `f` on a pooled connection (a new one when all are busy).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut connection = match pooled {
            Some(connection) => connection,
            None => self.connect()?,
        };
        let result = f(&mut connection);
        self.put_back(connection);
        result
    }
}

/// A connection (or a transaction, which derefs to one) as the shared SQL sees it.
pub(crate) struct Statements<'a>(pub(crate) &'a rusqlite::Connection);

/// A parameter, lent to SQLite without a copy.
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn classify(e: rusqlite::Error) -> SqlError {
    let unique = matches!(
        &e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                )
    );
    if unique {
        SqlError::UniqueViolation
    } else {
        SqlError::Failed(Box::new(e))
    }
}

/// The shared statements number their parameters `$1`, `$2`, …; SQLite's numbered form is
/// `?1`, `?2`, ….
fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

impl Connection for Statements<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, SqlError> {
        let mut statement = self.0.prepare_cached(&numbered(sql)).map_err(classify)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(params.iter().map(Param)))
            .map_err(classify)?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, SqlError> {
        let mut statement = self.0.prepare_cached(&numbered(sql)).map_err(classify)?;
        let columns = statement.column_count();
        let rows = statement
            .query_map(
                rusqlite::params_from_iter(params.iter().map(Param)),
                |row| {
                    (0..columns)
                        .map(|i| {
                            Ok(match row.get_ref(i)? {
                                ValueRef::Null => Value::Null,
                                ValueRef::Integer(n) => Value::Int(n),
                                ValueRef::Text(t) => {
                                    Value::Text(String::from_utf8_lossy(t).into_owned())
                                }
                                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                                ValueRef::Real(_) => {
                                    return Err(rusqlite::Error::InvalidColumnType(
                                        i,
                                        "a real number".into(),
                                        rusqlite::types::Type::Real,
                                    ));
                                }
                            })
                        })
                        .collect::<rusqlite::Result<Vec<Value>>>()
                },
            )
            .map_err(classify)?;
        rows.collect::<rusqlite::Result<_>>().map_err(classify)
    }
}

/// `f` in a `BEGIN IMMEDIATE` transaction on `c`, committed or rolled back as it says.
fn transaction<T>(
    c: &mut rusqlite::Connection,
    f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
) -> Result<T, StoreError> {
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite_error("sqlite: begin"))?;
    // Dropping the transaction rolls it back.
    match f(&mut Statements(&tx))? {
        Finish::Commit(value) => {
            tx.commit().map_err(sqlite_error("sqlite: commit"))?;
            Ok(value)
        }
        Finish::Rollback(value) => Ok(value),
    }
}

impl Backend for Sqlite {
    fn write<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
    ) -> Result<T, StoreError> {
        self.with(|c| transaction(c, f))
    }

    /// `synchronous = NORMAL` for this one transaction: in WAL mode its commit is not synced,
    /// and the next `FULL` commit's sync of the log takes it along.
    fn write_unsynced<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
    ) -> Result<T, StoreError> {
        if self.durability == Durability::Normal {
            return self.write(f);
        }
        self.with(|c| {
            c.execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(sqlite_error("sqlite: an unsynced commit"))?;
            let result = transaction(c, f);
            // The connection goes back to the pool as it came.
            c.execute_batch("PRAGMA synchronous = FULL")
                .map_err(sqlite_error("sqlite: an unsynced commit"))?;
            result
        })
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.with(|c| f(&mut Statements(c)))
    }
}
