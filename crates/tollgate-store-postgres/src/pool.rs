//! Pooled connections that keep their prepared statements: a query on a pooled connection
//! costs one round trip, not a parse round trip and then an execute one.

use std::collections::HashMap;

use postgres::{GenericClient, NoTls, Statement};

/// A connection and the statements prepared on it.
pub(crate) struct Connection {
    pub(crate) client: postgres::Client,
    pub(crate) statements: HashMap<String, Statement>,
}

/// `sql`, prepared on this connection once.
pub(crate) fn prepared(
    client: &mut impl GenericClient,
    statements: &mut HashMap<String, Statement>,
    sql: &str,
) -> Result<Statement, postgres::Error> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql)?;
    statements.insert(sql.to_owned(), statement.clone());
    Ok(statement)
}

/// Makes [`Connection`]s for r2d2, with the TLS the URL asked for.
pub(crate) struct Manager(pub(crate) crate::tls::Target);

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        let client = match &self.0.tls {
            Some(tls) => self.0.config.connect(tls.clone())?,
            None => self.0.config.connect(NoTls)?,
        };
        Ok(Connection {
            client,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, connection: &mut Connection) -> Result<(), postgres::Error> {
        connection.client.simple_query("").map(drop)
    }

    fn has_broken(&self, connection: &mut Connection) -> bool {
        connection.client.is_closed()
    }
}
