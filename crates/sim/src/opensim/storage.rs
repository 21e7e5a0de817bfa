//! OpenSim Storage files (`.mot`, `.sto`): a text header closed by `endheader`, a tab-separated label line
//! starting with `time`, then one row of whitespace-separated numbers per sample.
//!
//! ```text
//! Coordinates                 <- name (first line)
//! version=1
//! nRows=73                    <- optional, checked when present
//! nColumns=24                 <- optional, counts the time column, checked when present
//! inDegrees=yes               <- optional, `no` when absent
//! Angles are in degrees.      <- any other line: free text, kept in `Storage::header`
//! endheader
//! time    pelvis_tilt    ...
//!       0.40000000          4.84455933    ...
//! ```
//!
//! The reader is tolerant of what OpenSim and its exporters write in practice: trailing tabs and spaces on
//! every line, `\r\n` line endings, blank lines in the header and between `endheader` and the labels, labels
//! separated by spaces when the line holds no tab, and `NaN`/`inf` values (force-plate exporters write `NaN`
//! for an unloaded plate's centre of pressure). It rejects everything that would shift or misread data: a row
//! with the wrong number of values, a value that is not a number, time that does not increase, and a declared
//! `nRows`/`nColumns` that disagrees with the data. Every error names the file and the 1-based line.
//!
//! The writer produces a file this reader (and OpenSim) reads back bit-identically: numbers are written in
//! Rust's shortest round-trip form.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

/// Why a storage file could not be read. Every variant names the file (the `source` given to
/// [`Storage::parse`], or the path given to [`Storage::read`]); those about the content also give the 1-based
/// line number.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read storage file `{file}`: {error}")]
    Io {
        /// The path as given.
        file: String,
        /// What the operating system said.
        #[source]
        error: io::Error,
    },
    /// The file ended before a line reading `endheader`.
    #[error("{file}:{line}: the file ends without an `endheader` line")]
    MissingEndheader {
        /// Source file.
        file: String,
        /// Last line of the file (0 for an empty file).
        line: usize,
    },
    /// No label line starting with `time` after `endheader`.
    #[error("{file}:{line}: expected the column label line starting with `time` after `endheader`, found `{found}`")]
    MissingLabels {
        /// Source file.
        file: String,
        /// The line where the labels were expected.
        line: usize,
        /// What that line holds (empty at the end of the file).
        found: String,
    },
    /// A header line `key=value` with a value that cannot be understood (`nRows=abc`, `inDegrees=maybe`).
    #[error("{file}:{line}: header `{key}` has the unreadable value `{value}`")]
    BadHeaderValue {
        /// Source file.
        file: String,
        /// The header line.
        line: usize,
        /// The key (`version`, `nRows`, `nColumns` or `inDegrees`).
        key: String,
        /// The value as written.
        value: String,
    },
    /// A data row whose number of values differs from the number of labels.
    #[error("{file}:{line}: expected {expected} values (time included), found {found}")]
    WrongValueCount {
        /// Source file.
        file: String,
        /// The row's line.
        line: usize,
        /// Number of labels, time included.
        expected: usize,
        /// Number of values on the line.
        found: usize,
    },
    /// A value that is not a number.
    #[error("{file}:{line}: value {position} (column `{label}`) is not a number: `{text}`")]
    BadNumber {
        /// Source file.
        file: String,
        /// The row's line.
        line: usize,
        /// 1-based position of the value on the line (1 = time).
        position: usize,
        /// The label of that column.
        label: String,
        /// The text that failed to parse.
        text: String,
    },
    /// Time that does not strictly increase from one row to the next (or is not finite).
    #[error("{file}:{line}: time {time_s} s does not increase (previous row: {previous_s} s)")]
    NonIncreasingTime {
        /// Source file.
        file: String,
        /// The row's line.
        line: usize,
        /// Time on this row, s.
        time_s: f64,
        /// Time on the previous row, s (negative infinity for the first row).
        previous_s: f64,
    },
    /// `nRows=` or `nColumns=` in the header disagrees with the data.
    #[error("{file}:{line}: the header declares {key}={declared} but the file holds {found}")]
    CountMismatch {
        /// Source file.
        file: String,
        /// The header line holding the declaration.
        line: usize,
        /// `nRows` or `nColumns`.
        key: &'static str,
        /// Declared count.
        declared: usize,
        /// Count found in the data (`nColumns` includes time).
        found: usize,
    },
    /// A [`Storage`] built in memory whose vectors do not fit together.
    #[error("storage `{file}`: {what}")]
    Shape {
        /// The storage's source.
        file: String,
        /// What does not fit.
        what: String,
    },
}

/// The contents of an OpenSim storage file: a time column and named data columns of equal length.
///
/// The header counts (`nRows`, `nColumns`) and the format `version` are not kept: they follow from the data,
/// and [`Storage::to_text`] always writes `version=1` (the only storage format version).
///
/// Equality compares the content (source, name, header, labels, data), not where the labels were read.
#[derive(Clone, Debug)]
pub struct Storage {
    /// Where the storage came from: the path given to [`Storage::read`] or the `source` given to
    /// [`Storage::parse`]. Used in error messages; not written to files.
    pub source: String,
    /// The file's first line (OpenSim's name of the data, e.g. `Coordinates`); empty when that line is a
    /// `key=value` header line. Should be one line without `=` so that it is read back as the name.
    pub name: String,
    /// `inDegrees=yes`: rotational columns are in degrees (translations and forces are SI regardless).
    /// False when the header does not say.
    pub in_degrees: bool,
    /// Free-text header lines (everything between the name and `endheader` except the `version`, `nRows`,
    /// `nColumns` and `inDegrees` lines, e.g. `DataType=double`), trailing whitespace removed, blank lines kept.
    /// A line reading `endheader`, or a known key, would not be read back as free text.
    pub header: Vec<String>,
    /// Column labels after `time`, in file order. OpenSim allows duplicates; [`Storage::column`] finds the
    /// first.
    pub columns: Vec<String>,
    /// Sample times, s, strictly increasing.
    pub time: Vec<f64>,
    /// One vector per column, in the order of `columns`, each as long as `time`.
    pub data: Vec<Vec<f64>>,
    /// The 1-based line of the label line in the file read (0 for a storage built in memory), for errors about
    /// a column.
    pub labels_line: usize,
}

impl PartialEq for Storage {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.name == other.name
            && self.in_degrees == other.in_degrees
            && self.header == other.header
            && self.columns == other.columns
            && self.time == other.time
            && self.data == other.data
    }
}

/// Header lines with a meaning the reader checks.
#[derive(Default)]
struct Declared {
    /// `(line, count)` of `nRows=`.
    rows: Option<(usize, usize)>,
    /// `(line, count)` of `nColumns=`.
    columns: Option<(usize, usize)>,
}

/// A line of the text with its 1-based number.
type Line<'a> = (usize, &'a str);

impl Storage {
    /// A storage built in memory (its `source` is its name, its header empty), checked: one data vector per label, each as long as `time`, and time
    /// strictly increasing.
    ///
    /// # Errors
    /// [`StorageError::Shape`] or [`StorageError::NonIncreasingTime`] (line 0: there is no file).
    pub fn new(
        name: impl Into<String>,
        in_degrees: bool,
        columns: Vec<String>,
        time: Vec<f64>,
        data: Vec<Vec<f64>>,
    ) -> Result<Self, StorageError> {
        let name = name.into();
        let storage =
            Storage { source: name.clone(), name, in_degrees, header: Vec::new(), columns, time, data, labels_line: 0 };
        storage.check()?;
        Ok(storage)
    }

    /// Checks that the vectors fit together and time strictly increases.
    ///
    /// # Errors
    /// [`StorageError::Shape`] or [`StorageError::NonIncreasingTime`] (line 0: there is no file).
    pub fn check(&self) -> Result<(), StorageError> {
        let shape = |what: String| StorageError::Shape { file: self.source.clone(), what };
        if self.data.len() != self.columns.len() {
            return Err(shape(format!("{} labels but {} data columns", self.columns.len(), self.data.len())));
        }
        for (label, column) in self.columns.iter().zip(&self.data) {
            if column.len() != self.time.len() {
                return Err(shape(format!("column `{label}` holds {} values, time {}", column.len(), self.time.len())));
            }
        }
        let mut previous_s = f64::NEG_INFINITY;
        for &time_s in &self.time {
            check_time(&self.source, 0, time_s, previous_s)?;
            previous_s = time_s;
        }
        Ok(())
    }

    /// Reads and parses a storage file.
    ///
    /// # Errors
    /// [`StorageError::Io`] naming the path when the file cannot be read, otherwise as [`Storage::parse`].
    pub fn read(path: &Path) -> Result<Self, StorageError> {
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, &file),
            Err(error) => Err(StorageError::Io { file, error }),
        }
    }

    /// Parses the text of a storage file; `source` names it in errors (a path or any description).
    ///
    /// # Errors
    /// A [`StorageError`] naming `source` and the 1-based line of the first problem.
    pub fn parse(text: &str, source: &str) -> Result<Self, StorageError> {
        let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line.trim_end()));
        let mut storage = Storage {
            source: source.to_string(),
            name: String::new(),
            in_degrees: false,
            header: Vec::new(),
            columns: Vec::new(),
            time: Vec::new(),
            data: Vec::new(),
            labels_line: 0,
        };
        let declared = storage.parse_header(&mut lines, source)?;
        (storage.labels_line, storage.columns) = parse_labels(&mut lines, source)?;
        storage.data = vec![Vec::new(); storage.columns.len()];
        let mut parsed = Vec::with_capacity(storage.columns.len() + 1);
        for (line, row) in lines {
            storage.parse_row(line, row, source, &mut parsed)?;
        }
        storage.check_declared(&declared, source)?;
        Ok(storage)
    }

    /// Reads the header up to `endheader`: the name, the known keys and free text.
    fn parse_header<'a>(
        &mut self,
        lines: &mut impl Iterator<Item = Line<'a>>,
        source: &str,
    ) -> Result<Declared, StorageError> {
        let mut declared = Declared::default();
        let mut last_line = 0;
        for (line, text) in lines.by_ref() {
            last_line = line;
            if text.trim() == "endheader" {
                return Ok(declared);
            }
            if line == 1 && !text.contains('=') {
                self.name = text.trim().to_string();
                continue;
            }
            let bad = |key: &str, value: &str| StorageError::BadHeaderValue {
                file: source.to_string(),
                line,
                key: key.to_string(),
                value: value.to_string(),
            };
            let Some((key, value)) = text.split_once('=').map(|(k, v)| (k.trim(), v.trim())) else {
                self.header.push(text.to_string());
                continue;
            };
            match key {
                "version" => {
                    value.parse::<u32>().map_err(|_| bad(key, value))?;
                }
                "nRows" => declared.rows = Some((line, value.parse().map_err(|_| bad(key, value))?)),
                "nColumns" => declared.columns = Some((line, value.parse().map_err(|_| bad(key, value))?)),
                "inDegrees" => {
                    self.in_degrees = match value.to_ascii_lowercase().as_str() {
                        "yes" | "true" => true,
                        "no" | "false" => false,
                        _ => return Err(bad(key, value)),
                    }
                }
                _ => self.header.push(text.to_string()),
            }
        }
        Err(StorageError::MissingEndheader { file: source.to_string(), line: last_line })
    }

    /// Parses one data row (a blank one is skipped) and appends it; `parsed` is scratch space.
    fn parse_row(&mut self, line: usize, row: &str, source: &str, parsed: &mut Vec<f64>) -> Result<(), StorageError> {
        let expected = self.columns.len() + 1;
        // One pass over the row (the files are ASCII; a non-ASCII separator is then part of a bad number).
        parsed.clear();
        for (i, text) in row.split_ascii_whitespace().enumerate() {
            if i >= expected {
                let found = row.split_ascii_whitespace().count();
                return Err(StorageError::WrongValueCount { file: source.to_string(), line, expected, found });
            }
            let value = text.parse::<f64>().map_err(|_| StorageError::BadNumber {
                file: source.to_string(),
                line,
                position: i + 1,
                label: if i == 0 { "time" } else { self.columns.get(i - 1).map_or("?", String::as_str) }.to_string(),
                text: text.to_string(),
            })?;
            parsed.push(value);
        }
        match parsed.len() {
            0 => return Ok(()),
            found if found != expected => {
                return Err(StorageError::WrongValueCount { file: source.to_string(), line, expected, found });
            }
            _ => {}
        }
        let time_s = parsed[0];
        check_time(source, line, time_s, self.time.last().copied().unwrap_or(f64::NEG_INFINITY))?;
        // The whole row is parsed before anything is pushed, so the columns stay the same length.
        self.time.push(time_s);
        for (column, value) in self.data.iter_mut().zip(&parsed[1..]) {
            column.push(*value);
        }
        Ok(())
    }

    /// Compares `nRows`/`nColumns`, when declared, with the data.
    fn check_declared(&self, declared: &Declared, source: &str) -> Result<(), StorageError> {
        let checks =
            [("nRows", declared.rows, self.time.len()), ("nColumns", declared.columns, self.columns.len() + 1)];
        for (key, declaration, found) in checks {
            if let Some((line, count)) = declaration
                && count != found
            {
                return Err(StorageError::CountMismatch {
                    file: source.to_string(),
                    line,
                    key,
                    declared: count,
                    found,
                });
            }
        }
        Ok(())
    }

    /// The samples of the column with this label (the first one if labels repeat), or `None`.
    #[must_use]
    pub fn column(&self, label: &str) -> Option<&[f64]> {
        let index = self.columns.iter().position(|c| c == label)?;
        self.data.get(index).map(Vec::as_slice)
    }

    /// Number of rows (samples).
    #[must_use]
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when the storage holds no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// The storage as the text of a file that [`Storage::parse`] reads back identically (bit-identical numbers).
    ///
    /// A storage that fails [`Storage::check`] is still written, without panicking: a missing value is written
    /// as `NaN` and data columns without a label are left out.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_fmt_to(&mut text);
        text
    }

    /// Writes the storage as a file (see [`Storage::to_text`]).
    ///
    /// # Errors
    /// Whatever the writer returns.
    pub fn write(&self, mut w: impl Write) -> io::Result<()> {
        w.write_all(self.to_text().as_bytes())
    }

    /// The writer behind [`Storage::to_text`].
    fn write_fmt_to(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "{}", self.name)?;
        writeln!(out, "version=1")?;
        writeln!(out, "nRows={}", self.time.len())?;
        writeln!(out, "nColumns={}", self.columns.len() + 1)?;
        writeln!(out, "inDegrees={}", if self.in_degrees { "yes" } else { "no" })?;
        for line in &self.header {
            writeln!(out, "{line}")?;
        }
        writeln!(out, "endheader")?;
        out.push_str("time");
        for label in &self.columns {
            write!(out, "\t{label}")?;
        }
        out.push('\n');
        for (row, &time_s) in self.time.iter().enumerate() {
            write_number(out, time_s)?;
            for column in 0..self.columns.len() {
                out.push('\t');
                let value = self.data.get(column).and_then(|c| c.get(row)).copied().unwrap_or(f64::NAN);
                write_number(out, value)?;
            }
            out.push('\n');
        }
        Ok(())
    }
}

/// Reads the label line after `endheader`, skipping blank lines.
fn parse_labels<'a>(
    lines: &mut impl Iterator<Item = Line<'a>>,
    source: &str,
) -> Result<(usize, Vec<String>), StorageError> {
    let mut last_line = 0;
    for (line, text) in lines.by_ref() {
        last_line = line;
        if text.trim().is_empty() {
            continue;
        }
        let labels: Vec<&str> = if text.contains('\t') {
            text.split('\t').map(str::trim).filter(|label| !label.is_empty()).collect()
        } else {
            text.split_whitespace().collect()
        };
        return match labels.split_first() {
            Some((first, rest)) if first.eq_ignore_ascii_case("time") => {
                Ok((line, rest.iter().map(ToString::to_string).collect()))
            }
            _ => Err(StorageError::MissingLabels { file: source.to_string(), line, found: text.to_string() }),
        };
    }
    Err(StorageError::MissingLabels { file: source.to_string(), line: last_line + 1, found: String::new() })
}

/// Checks that `time_s` is finite and above the previous row's time.
fn check_time(source: &str, line: usize, time_s: f64, previous_s: f64) -> Result<(), StorageError> {
    if time_s.is_finite() && time_s > previous_s {
        Ok(())
    } else {
        Err(StorageError::NonIncreasingTime { file: source.to_string(), line, time_s, previous_s })
    }
}

/// Writes a number in the shortest form that parses back to the same bits: plain decimals for ordinary
/// magnitudes, scientific notation for very small or large ones (Rust's `{}` never uses an exponent).
fn write_number(out: &mut String, value: f64) -> std::fmt::Result {
    let magnitude = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-5..1e16).contains(&magnitude) {
        write!(out, "{value}")
    } else {
        write!(out, "{value:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "Coordinates\nversion=1\nnRows=2\nnColumns=3\ninDegrees=yes\n\nfree text\t\t\nendheader\n\n\
                         time\ta\tb\t\n 0.0\t1\t2\t\n 0.5\t3\t4   \n";

    #[test]
    fn parses_a_small_file_with_trailing_whitespace() {
        let s = Storage::parse(SMALL, "small.mot").unwrap();
        assert_eq!(s.name, "Coordinates");
        assert!(s.in_degrees);
        assert_eq!(s.header, ["", "free text"]);
        assert_eq!(s.columns, ["a", "b"]);
        assert_eq!(s.time, [0.0, 0.5]);
        assert_eq!(s.column("b"), Some(&[2.0, 4.0][..]));
        assert_eq!(s.column("c"), None);
    }

    #[test]
    fn header_without_name_line() {
        let s = Storage::parse("version=1\nDataType=double\nendheader\ntime\ta\n0\t1\n", "noname.sto").unwrap();
        assert_eq!(s.name, "");
        assert_eq!(s.header, ["DataType=double"]);
        assert_eq!(Storage::parse(&s.to_text(), "noname.sto").unwrap(), s);
    }

    #[test]
    fn crlf_and_space_separated_labels() {
        let text = "x\r\nendheader\r\ntime a b\r\n0 1 2\r\n";
        let s = Storage::parse(text, "crlf.sto").unwrap();
        assert_eq!(s.columns, ["a", "b"]);
        assert!(!s.in_degrees);
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases: [(&str, usize, &str); 7] = [
            ("x\nversion=1\n", 2, "endheader"),
            ("x\nendheader\n\nangle\n", 4, "label"),
            ("x\nnRows=two\nendheader\ntime\ta\n", 2, "nRows"),
            ("x\nendheader\ntime\ta\n0\t1\n1\tone\n", 5, "not a number"),
            ("x\nendheader\ntime\ta\n0\t1\n0\t2\n", 5, "does not increase"),
            ("x\nnRows=3\nendheader\ntime\ta\n0\t1\n", 2, "nRows=3"),
            ("x\nnColumns=3\nendheader\ntime\ta\n0\t1\n", 2, "nColumns=3"),
        ];
        for (text, line, words) in cases {
            let message = Storage::parse(text, "f.sto").unwrap_err().to_string();
            assert!(message.starts_with(&format!("f.sto:{line}: ")), "{message}");
            assert!(message.contains(words), "{message}");
        }
    }

    #[test]
    fn numbers_round_trip_bit_identically() {
        let values = [0.0, -0.0, 1.0 / 3.0, -2.5e-300, 1e300, 123_456.789, f64::MIN_POSITIVE, 9.999_999e-6];
        for value in values {
            let mut text = String::new();
            write_number(&mut text, value).unwrap();
            assert_eq!(text.parse::<f64>().unwrap().to_bits(), value.to_bits(), "{text}");
        }
    }

    #[test]
    fn new_checks_shape() {
        assert!(Storage::new("s", false, vec!["a".into()], vec![0.0, 1.0], vec![vec![1.0]]).is_err());
        assert!(Storage::new("s", false, vec!["a".into()], vec![1.0, 0.0], vec![vec![1.0, 2.0]]).is_err());
        assert!(Storage::new("s", false, vec!["a".into()], vec![0.0, 1.0], vec![vec![1.0, 2.0]]).is_ok());
    }
}
