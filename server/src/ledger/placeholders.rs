//! Placeholders for statements written once for both backends. Every statement uses `$1, $2,
//! …`, which SQLite and PostgreSQL both accept. On SQLite, though, sqlx binds a `$n` by asking
//! SQLite for each parameter's name, and SQLite finds a name by a linear search: a multi-row
//! insert of 704 parameters cost ~250,000 steps per execution, 4.9 % of the write path's CPU
//! in the profile in `BENCHMARKS.md`. Anonymous `?` are bound by position with no lookup, so
//! [`positional`] gives SQLite `?` wherever that binds the same values.

use sqlx::AnyConnection;

/// `$start, $start+1, …` for `n` parameters.
pub(super) fn params(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($s, …), ($s+w, …)` for `rows` rows of `width` parameters.
pub(super) fn rows(start: usize, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", params(start + r * width, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sql` as `conn`'s database should receive it: on SQLite, when its placeholders are `$1, $2,
/// …, $n`, each once and in that order, every one becomes `?` (sqlx binds anonymous
/// parameters in order, so the values bound are the same); otherwise, and on PostgreSQL,
/// `sql` unchanged. A `$` that is not followed by a digit (a JSON path such as `'$.a'`) is
/// not a placeholder and stays.
pub(super) fn positional(conn: &AnyConnection, sql: String) -> String {
    if conn.backend_name() != "SQLite" {
        return sql;
    }
    anonymous(&sql).unwrap_or(sql)
}

/// `sql` with `$1 … $n` replaced by `?`, or `None` if they are not each once and in order.
fn anonymous(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1_usize;
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            out.push('$');
        } else {
            if after[..digits].parse::<usize>().ok()? != expected {
                return None;
            }
            expected += 1;
            out.push('?');
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_consecutively() {
        assert_eq!(params(2, 3), "$2, $3, $4");
        assert_eq!(rows(1, 2, 2), "($1, $2), ($3, $4)");
    }

    #[test]
    fn placeholders_in_order_become_anonymous() {
        let sql = format!("INSERT INTO t (a, b) VALUES {}", rows(1, 3, 2));
        assert_eq!(
            anonymous(&sql).as_deref(),
            Some("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)")
        );
        assert_eq!(
            anonymous("SELECT json_extract(x, '$.a') FROM t WHERE s = $1 AND k IN ($2, $3)").as_deref(),
            Some("SELECT json_extract(x, '$.a') FROM t WHERE s = ? AND k IN (?, ?)")
        );
        assert_eq!(anonymous("SELECT 1").as_deref(), Some("SELECT 1"));
    }

    #[test]
    fn placeholders_out_of_order_or_repeated_stay_named() {
        // `?` would bind the second value where `$1` is used twice, and swap these two.
        assert_eq!(anonymous("SELECT $1 WHERE a = $2 OR b = $1"), None);
        assert_eq!(anonymous("SELECT $2, $1"), None);
        assert_eq!(anonymous("SELECT $1, $3"), None);
    }

    #[tokio::test]
    async fn sqlite_binds_anonymous_placeholders_to_the_same_values() {
        use sqlx::{Connection, Row};
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect("sqlite::memory:").await.expect("connect");
        let sql = positional(&conn, format!("SELECT {}", params(1, 3)));
        assert_eq!(sql, "SELECT ?, ?, ?");
        let row = sqlx::query(&sql)
            .bind("a")
            .bind(2_i64)
            .bind("c")
            .fetch_one(&mut conn)
            .await
            .expect("select");
        let got: (String, i64, String) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(got, ("a".to_owned(), 2, "c".to_owned()));
        // A repeated placeholder keeps its name, and still binds the first value twice.
        let sql = positional(&conn, "SELECT $1, $2, $1".to_owned());
        let row = sqlx::query(&sql)
            .bind("x")
            .bind("y")
            .fetch_one(&mut conn)
            .await
            .expect("select");
        assert_eq!(
            (row.get::<String, _>(0), row.get::<String, _>(2)),
            ("x".into(), "x".into())
        );
    }
}
