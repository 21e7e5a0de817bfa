//! Time series recorded during a run into storage allocated before it starts.

/// A named, unit-labelled channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Name with its unit as suffix (`knee_q_rad`).
    pub name: String,
    /// Unit (`rad`, `N m`, `A`, `°C`, `1`).
    pub unit: &'static str,
}

/// The recorder ran out of the room it was given for the run (more ticks than planned were recorded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the recorder is full ({rows} rows): the run went on past the duration it was sized for")]
pub struct RecorderFull {
    /// Rows it holds.
    pub rows: usize,
}

/// Row-major samples of a fixed set of channels. [`Recorder::push_row`] never allocates and never drops a row:
/// a row beyond the capacity fixed at construction is an error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorder {
    channels: Vec<Channel>,
    data: Vec<f64>,
    rows: usize,
    capacity: usize,
}

impl Recorder {
    /// A recorder for `channels` with room for `capacity_rows` rows.
    #[must_use]
    pub fn new(channels: Vec<Channel>, capacity_rows: usize) -> Self {
        let width = channels.len();
        Self { data: Vec::with_capacity(width * capacity_rows), channels, rows: 0, capacity: capacity_rows }
    }

    /// The channels.
    #[must_use]
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Index of a channel by name.
    #[must_use]
    pub fn index(&self, name: &str) -> Option<usize> {
        self.channels.iter().position(|c| c.name == name)
    }

    /// Number of rows recorded.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rows it can hold.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Row `i`.
    #[must_use]
    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.channels.len();
        &self.data[i * w..(i + 1) * w]
    }

    /// Every value of channel `c`, in order.
    pub fn column(&self, c: usize) -> impl Iterator<Item = f64> + '_ {
        let w = self.channels.len();
        (0..self.rows).map(move |r| self.data[r * w + c])
    }

    /// Appends one row: `value(k)` is the value of channel `k`, asked for every channel in order, so that a row
    /// always has exactly one value per channel.
    #[inline]
    pub fn push_row(&mut self, mut value: impl FnMut(usize) -> f64) -> Result<(), RecorderFull> {
        if self.rows >= self.capacity {
            return Err(RecorderFull { rows: self.rows });
        }
        for k in 0..self.channels.len() {
            self.data.push(value(k));
        }
        self.rows += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: rows beyond the capacity were dropped silently and short rows padded with NaN.
    #[test]
    fn a_full_recorder_refuses_a_row_and_keeps_every_row_whole() {
        let ch = |n: &str| Channel { name: n.into(), unit: "1" };
        let mut r = Recorder::new(vec![ch("a"), ch("b")], 2);
        r.push_row(|k| k as f64).unwrap();
        r.push_row(|k| 10.0 + k as f64).unwrap();
        assert_eq!(r.push_row(|_| 0.0), Err(RecorderFull { rows: 2 }));
        assert_eq!(r.rows(), 2);
        assert_eq!(r.row(1), [10.0, 11.0]);
        assert_eq!(r.column(0).collect::<Vec<_>>(), [0.0, 10.0]);
    }
}
