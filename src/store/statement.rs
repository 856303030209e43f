//! Statements assembled at run time (lists of ids, multi-row `VALUES`). sqlx's own
//! `QueryBuilder` asks the database's arguments type how to write a placeholder, and under the
//! `Any` driver that is always SQLite's `?`, which PostgreSQL refuses; here the dialect says
//! (see [`Dialect::numbers_placeholders`]).

use std::fmt::Write;

use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::error::BoxDynError;
use sqlx::query::{Query, QueryAs};
use sqlx::{Arguments, AssertSqlSafe, Encode, FromRow, Type};

use super::Dialect;

/// SQL text and the values bound to its placeholders, built up piece by piece.
pub struct Statement {
    sql: String,
    arguments: AnyArguments,
    /// `$1`, `$2`, … rather than `?` for each placeholder.
    numbered: bool,
    /// The first value that could not be encoded, reported when the statement runs.
    error: Option<BoxDynError>,
}

impl Statement {
    /// A statement for `dialect`, starting with `sql` (which has no placeholders).
    pub fn new(dialect: &Dialect, sql: &str) -> Statement {
        Statement {
            sql: sql.to_string(),
            arguments: AnyArguments::default(),
            numbered: dialect.numbers_placeholders(),
            error: None,
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Statement {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value` and binds it.
    pub fn push_bind<T>(&mut self, value: T) -> &mut Statement
    where
        T: Encode<'static, Any> + Type<Any>,
    {
        if let Err(error) = self.arguments.add(value) {
            self.error.get_or_insert(error);
        }
        if self.numbered {
            // Writing to a String cannot fail.
            let _ = write!(self.sql, "${}", self.arguments.len());
        } else {
            self.sql.push('?');
        }
        self
    }

    /// Appends `value, value, …`, each bound: the inside of an `IN (…)` list.
    pub fn push_list<T, I>(&mut self, values: I) -> &mut Statement
    where
        I: IntoIterator<Item = T>,
        T: Encode<'static, Any> + Type<Any>,
    {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// Appends `VALUES (…), (…)`: one parenthesised row per item, whose values `row` binds.
    pub fn push_values<I, F>(&mut self, items: I, mut row: F) -> &mut Statement
    where
        I: IntoIterator,
        F: FnMut(&mut Row<'_>, I::Item),
    {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push("(");
            row(
                &mut Row {
                    statement: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    /// The statement, ready to execute; an error if a bound value could not be encoded.
    pub fn build(self) -> Result<Query<'static, Any, AnyArguments>, sqlx::Error> {
        let (sql, arguments) = self.into_parts()?;
        Ok(sqlx::query_with(AssertSqlSafe(sql), arguments))
    }

    /// The statement, its rows read as `O`.
    pub fn build_query_as<O>(self) -> Result<QueryAs<'static, Any, O, AnyArguments>, sqlx::Error>
    where
        O: for<'r> FromRow<'r, AnyRow>,
    {
        let (sql, arguments) = self.into_parts()?;
        Ok(sqlx::query_as_with(AssertSqlSafe(sql), arguments))
    }

    fn into_parts(self) -> Result<(String, AnyArguments), sqlx::Error> {
        match self.error {
            Some(error) => Err(sqlx::Error::Encode(error)),
            None => Ok((self.sql, self.arguments)),
        }
    }
}

/// The values of one row of a `VALUES` list, separated by commas.
pub struct Row<'s> {
    statement: &'s mut Statement,
    first: bool,
}

impl Row<'_> {
    pub fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any>,
    {
        if !self.first {
            self.statement.push(", ");
        }
        self.first = false;
        self.statement.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order_for_postgresql() {
        let mut statement = Statement::new(&Dialect::Postgres, "UPDATE t SET a = ");
        statement.push_bind(1_i64);
        statement.push(" WHERE id IN (");
        statement.push_list([2_i64, 3]);
        statement.push(")");
        assert_eq!(statement.sql, "UPDATE t SET a = $1 WHERE id IN ($2, $3)");

        let mut insert = Statement::new(&Dialect::Postgres, "INSERT INTO t (a, b) ");
        insert.push_values([("x", 1_i64), ("y", 2)], |row, (a, b)| {
            row.push_bind(a.to_string()).push_bind(b);
        });
        assert_eq!(insert.sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(insert.arguments.len(), 4);
    }

    #[test]
    fn placeholders_are_positional_for_sqlite() {
        let sqlite = Dialect::Sqlite {
            file: "herald.db".into(),
        };
        let mut statement = Statement::new(&sqlite, "DELETE FROM t WHERE id IN (");
        statement
            .push_list([2_i64, 3])
            .push(") AND a = ")
            .push_bind(1_i64);
        assert_eq!(statement.sql, "DELETE FROM t WHERE id IN (?, ?) AND a = ?");
    }
}
