//! Time series recorded during a run into storage allocated before it starts.

/// A named, unit-labelled channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Name with its unit as suffix (`knee_q_rad`).
    pub name: String,
    /// Unit (`rad`, `N m`, `A`, `°C`, `1`).
    pub unit: &'static str,
}

/// Row-major samples of a fixed set of channels. [`Recorder::push`] never allocates: rows beyond the
/// capacity fixed at construction are dropped and counted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorder {
    channels: Vec<Channel>,
    data: Vec<f64>,
    rows: usize,
    capacity: usize,
    dropped: usize,
}

impl Recorder {
    /// A recorder for `channels` with room for `capacity_rows` rows.
    #[must_use]
    pub fn new(channels: Vec<Channel>, capacity_rows: usize) -> Self {
        let width = channels.len();
        Self { data: Vec::with_capacity(width * capacity_rows), channels, rows: 0, capacity: capacity_rows, dropped: 0 }
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

    /// Rows that did not fit.
    #[must_use]
    pub fn dropped(&self) -> usize {
        self.dropped
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

    /// Appends one row (missing trailing values are recorded as NaN, extra ones ignored).
    #[inline]
    pub fn push(&mut self, values: impl IntoIterator<Item = f64>) {
        if self.rows >= self.capacity {
            self.dropped += 1;
            return;
        }
        let w = self.channels.len();
        let start = self.data.len();
        self.data.extend(values.into_iter().take(w));
        while self.data.len() < start + w {
            self.data.push(f64::NAN);
        }
        self.rows += 1;
    }
}
