//! The [`Backend`] on PostgreSQL: a pool of connections, transactions at READ COMMITTED,
//! statements prepared once per connection.

use std::collections::HashMap;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{GenericClient, Statement};
use tollgate_store::StoreError;
use tollgate_store::sql::{Backend, Connection, Finish, SqlError, Value};

use crate::pool;

/// A pool of connections to one database.
pub struct Postgres {
    /// Always `Some` but while dropped (see the `Drop` below).
    pool: Option<r2d2::Pool<pool::Manager>>,
}

impl core::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Postgres")
            .field("pool", &self.pool.as_ref().map(r2d2::Pool::state))
            .finish_non_exhaustive()
    }
}

pub(crate) fn postgres_error(context: &'static str) -> impl FnOnce(postgres::Error) -> StoreError {
    move |e| StoreError::Backend {
        context,
        source: Box::new(e),
    }
}

/// A parameter in PostgreSQL's binary form.
#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => i.to_sql(ty, out),
            Value::Text(t) => t.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT8 | Type::TEXT | Type::VARCHAR | Type::BYTEA)
    }

    to_sql_checked!();
}

fn classify(e: postgres::Error) -> SqlError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        SqlError::UniqueViolation
    } else {
        SqlError::Failed(Box::new(e))
    }
}

fn value(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |n| Value::Int(i64::from(n))),
        Type::BYTEA => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Blob),
        _ => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
    })
}

/// A client (a connection, or a transaction on one) and its connection's prepared statements.
pub(crate) struct Statements<'a, C> {
    pub(crate) client: &'a mut C,
    pub(crate) cache: &'a mut HashMap<String, Statement>,
}

impl<C: GenericClient> Connection for Statements<'_, C> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, SqlError> {
        let statement = pool::prepared(self.client, self.cache, sql).map_err(classify)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client.execute(&statement, &refs).map_err(classify)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, SqlError> {
        let statement = pool::prepared(self.client, self.cache, sql).map_err(classify)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.client.query(&statement, &refs).map_err(classify)?;
        rows.iter()
            .map(|row| (0..row.len()).map(|i| value(row, i)).collect())
            .collect::<Result<_, _>>()
            .map_err(classify)
    }
}

/// Runs `f`, which calls the `postgres` driver, where the driver may block. The driver drives
/// its connection on a Tokio runtime of its own, and Tokio refuses to start one inside an async
/// task ("Cannot start a runtime from within a runtime"): there, `f` runs through
/// [`tokio::task::block_in_place`] on a multi-threaded runtime, and on a thread of its own on a
/// current-thread runtime (which allows nothing else). Outside a runtime, and on Tokio's
/// blocking threads of a multi-threaded runtime, it simply runs.
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return f();
    };
    match handle.runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => std::thread::scope(|scope| {
            scope
                .spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    }
}

impl Drop for Postgres {
    /// The pool's connections close through the driver's runtime too.
    fn drop(&mut self) {
        let pool = self.pool.take();
        off_runtime(move || drop(pool));
    }
}

impl Postgres {
    pub(crate) fn new(pool: r2d2::Pool<pool::Manager>) -> Self {
        Self { pool: Some(pool) }
    }

    pub(crate) fn connection(&self) -> Result<r2d2::PooledConnection<pool::Manager>, StoreError> {
        let pool = self.pool.as_ref().ok_or_else(|| StoreError::Backend {
            context: "postgres: no connection",
            source: "the store is closing".into(),
        })?;
        pool.get().map_err(|e| StoreError::Backend {
            context: "postgres: no connection",
            source: Box::new(e),
        })
    }
}

impl Backend for Postgres {
    fn write<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection()?;
        let pool::Connection { client, statements } = &mut *connection;
        let mut tx = client
            .transaction()
            .map_err(postgres_error("postgres: begin"))?;
        let finish = f(&mut Statements {
            client: &mut tx,
            cache: statements,
        })?;
        // Dropping the transaction rolls it back.
        match finish {
            Finish::Commit(value) => {
                tx.commit().map_err(postgres_error("postgres: commit"))?;
                Ok(value)
            }
            Finish::Rollback(value) => Ok(value),
        }
    }

    /// `synchronous_commit = off` for this one transaction (set with its `BEGIN`, in one round
    /// trip): the server answers the commit before its log reaches the disk, and its next
    /// synchronous commit flushes the log with it.
    fn write_unsynced<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection()?;
        let pool::Connection { client, statements } = &mut *connection;
        client
            .batch_execute("BEGIN; SET LOCAL synchronous_commit TO off")
            .map_err(postgres_error("postgres: begin"))?;
        let done = f(&mut Statements {
            client: &mut *client,
            cache: statements,
        });
        let end = match &done {
            Ok(Finish::Commit(_)) => "COMMIT",
            _ => "ROLLBACK",
        };
        client
            .batch_execute(end)
            .map_err(postgres_error("postgres: commit"))?;
        match done? {
            Finish::Commit(value) | Finish::Rollback(value) => Ok(value),
        }
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection()?;
        let pool::Connection { client, statements } = &mut *connection;
        f(&mut Statements {
            client,
            cache: statements,
        })
    }
}
