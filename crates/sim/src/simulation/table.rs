//! Tables of numbers as CSV: what `timeseries.csv` and `frames.csv` are, written and read back in one place.
//!
//! Numbers are written in Rust's shortest round-trip form, so a table reads back to the very bits written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A bad table: the file, the line and the column.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{}:{line}: {column}: {problem}", path.display())]
pub struct TableError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (1 is the header).
    pub line: usize,
    /// Column name (`header` or `row` when the problem is the line's shape).
    pub column: String,
    /// What is wrong.
    pub problem: String,
}

/// Named columns of numbers, stored row by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    names: Vec<String>,
    data: Vec<f64>,
}

impl Table {
    /// Parses CSV text: a header line of names, then rows of numbers (`NaN`, `inf` and empty cells are
    /// accepted; empty reads as NaN). `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, TableError> {
        let err = |line: usize, column: &str, problem: String| TableError {
            path: path.to_path_buf(),
            line,
            column: column.to_string(),
            problem,
        };
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(err(1, "header", "empty file: no header line".into()));
        };
        let names: Vec<String> = header.split(',').map(|s| s.trim().to_string()).collect();
        let mut data = Vec::new();
        for (k, line) in lines {
            let before = data.len();
            for (c, cell) in line.split(',').enumerate() {
                let cell = cell.trim();
                let v = if cell.is_empty() {
                    f64::NAN
                } else {
                    let column = names.get(c).map_or("row", String::as_str);
                    cell.parse::<f64>().map_err(|_| err(k + 1, column, format!("`{cell}` is not a number")))?
                };
                data.push(v);
            }
            let cells = data.len() - before;
            if cells != names.len() {
                return Err(err(k + 1, "row", format!("{cells} values, the header has {}", names.len())));
            }
        }
        Ok(Self { names, data })
    }

    /// The header and rows as CSV.
    #[must_use]
    pub fn write<R: AsRef<[f64]>>(names: &[impl AsRef<str>], rows: impl IntoIterator<Item = R>) -> String {
        let mut out = String::new();
        for (k, n) in names.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(n.as_ref());
        }
        out.push('\n');
        for row in rows {
            for (k, v) in row.as_ref().iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{v}");
            }
            out.push('\n');
        }
        out
    }

    /// Column names.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.names.len()).unwrap_or(0)
    }

    /// One row (empty past the end).
    #[must_use]
    pub fn row(&self, row: usize) -> &[f64] {
        let w = self.names.len();
        self.data.get(row * w..(row + 1) * w).unwrap_or(&[])
    }

    /// Index of a column.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The value at `row`, `column` (NaN outside the table).
    #[must_use]
    pub fn get(&self, row: usize, column: usize) -> f64 {
        self.row(row).get(column).copied().unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_bit_for_bit_and_names_bad_cells() {
        let rows = [[0.1, -1.0 / 3.0, f64::MIN_POSITIVE], [f64::INFINITY, -0.0, 1e-300]];
        let text = Table::write(&["a", "b", "c"], rows);
        let t = Table::parse(&text, Path::new("t.csv")).unwrap();
        assert_eq!(t.rows(), 2);
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                assert_eq!(t.get(r, c).to_bits(), v.to_bits());
            }
        }
        let t = Table::parse("time_s,a\n0.0,1\n0.5,NaN\n0.6,\n", Path::new("t.csv")).unwrap();
        assert!(t.get(1, 1).is_nan() && t.get(2, 1).is_nan());
        let e = Table::parse("a,b\n1\n", Path::new("t.csv")).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "row"));
        let e = Table::parse("a,b\n1,2\n\n3,x\n", Path::new("t.csv")).unwrap_err();
        assert_eq!(e.to_string(), "t.csv:4: b: `x` is not a number");
        assert_eq!(Table::parse("", Path::new("t.csv")).unwrap_err().column, "header");
    }
}
