//! Plots of a run (PNG, plotters with the shipped DejaVu Sans font: no system font library needed).

use std::path::Path;
use std::sync::Once;

use anyhow::{Result, anyhow};
use exo_sim::simulation::Recorder;
use plotters::prelude::*;

use crate::atomic;

static FONT: Once = Once::new();

pub(crate) fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        // Registration only fails on a malformed font, which the shipped file is not.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// One panel: a title, a y label and named series of (channel, scale).
struct Panel<'a> {
    title: String,
    y_label: &'a str,
    series: Vec<(String, usize, f64)>,
}

/// The series' colours, in order (then again).
const PALETTE: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
    RGBColor(180, 180, 40),
];

/// How a series is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// A line through the points.
    Line,
    /// A dot at each point.
    Dots,
}

/// A named series of (x, y) points.
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) mark: Mark,
}

impl Series {
    /// A line through `points`.
    pub(crate) fn line(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self { name: name.into(), points, mark: Mark::Line }
    }
}

/// A panel of an x-y figure: its caption, the y axis's label, and its series.
pub(crate) struct XyPanel {
    pub(crate) title: String,
    pub(crate) y_label: String,
    pub(crate) series: Vec<Series>,
}

/// A figure of panels stacked over a common x axis `x_range` (labelled `x_label`), each y axis fitted to its data
/// with a margin; written atomically to `path`. Every plot of the program is drawn by it.
pub(crate) fn draw_xy(path: &Path, title: &str, x_label: &str, x_range: (f64, f64), panels: &[XyPanel]) -> Result<()> {
    register_font();
    let fail = |e: &dyn std::fmt::Display| anyhow!("{e}");
    atomic::write_with(path, |tmp| {
        let height = 260 * panels.len() as u32 + 40;
        let root = BitMapBackend::new(tmp, (1100, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let root = root.titled(title, ("sans-serif", 22)).map_err(|e| fail(&e))?;
        for (area, p) in root.split_evenly((panels.len(), 1)).iter().zip(panels) {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for (_, y) in p.series.iter().flat_map(|s| &s.points).filter(|(_, y)| y.is_finite()) {
                lo = lo.min(*y);
                hi = hi.max(*y);
            }
            if !lo.is_finite() {
                (lo, hi) = (-1.0, 1.0);
            }
            let pad = ((hi - lo) * 0.08).max(1e-3);
            let mut chart = ChartBuilder::on(area)
                .caption(&p.title, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(60)
                .build_cartesian_2d(x_range.0..x_range.1, (lo - pad)..(hi + pad))
                .map_err(|e| fail(&e))?;
            chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(p.y_label.as_str())
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(|e| fail(&e))?;
            for (k, series) in p.series.iter().enumerate() {
                let color = PALETTE[k % PALETTE.len()];
                let finite = series.points.iter().copied().filter(|(_, y)| y.is_finite());
                let drawn = match series.mark {
                    Mark::Line => chart.draw_series(LineSeries::new(finite, color.stroke_width(2))),
                    Mark::Dots => chart.draw_series(finite.map(|xy| Circle::new(xy, 3, color.filled()))),
                };
                let mark = series.mark;
                drawn.map_err(|e| fail(&e))?.label(series.name.as_str()).legend(move |(x, y)| match mark {
                    Mark::Line => PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)).into_dyn(),
                    Mark::Dots => Circle::new((x + 9, y), 3, color.filled()).into_dyn(),
                });
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 12))
                .draw()
                .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
        Ok(())
    })
}

fn draw_panels(path: &Path, title: &str, rec: &Recorder, panels: &[Panel<'_>]) -> Result<()> {
    if panels.is_empty() || rec.rows() < 2 {
        return Ok(());
    }
    let time_c = rec.index("time_s").ok_or_else(|| anyhow!("no time channel"))?;
    let time: Vec<f64> = rec.column(time_c).collect();
    let (t0, t1) = (time[0], *time.last().unwrap_or(&1.0));
    let xy: Vec<XyPanel> = panels
        .iter()
        .map(|p| XyPanel {
            title: p.title.clone(),
            y_label: p.y_label.to_string(),
            series: p
                .series
                .iter()
                .map(|(name, c, scale)| {
                    Series::line(name.clone(), time.iter().zip(rec.column(*c)).map(|(t, v)| (*t, v * scale)).collect())
                })
                .collect(),
        })
        .collect();
    draw_xy(path, title, "time (s)", (t0, t1), &xy)
}

fn ch(rec: &Recorder, name: &str) -> Option<usize> {
    rec.index(name)
}

/// Writes the standard plots of a run into `dir`.
pub(crate) fn write_all(dir: &Path, rec: &Recorder, scenario: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let deg = 180.0 / std::f64::consts::PI;
    let joints = exo_sim::body::Joint::ALL.map(exo_sim::body::Joint::name);
    let angles: Vec<Panel<'_>> = joints
        .iter()
        .map(|j| {
            let mut series = Vec::new();
            for (label, name) in [
                ("human", format!("{j}_q_rad")),
                ("reference", format!("{j}_q_ref_rad")),
                ("exoskeleton", format!("exo_{j}_q_rad")),
            ] {
                if let Some(c) = ch(rec, &name) {
                    series.push((label.to_string(), c, deg));
                }
            }
            Panel { title: format!("{j} angle"), y_label: "deg", series }
        })
        .collect();
    draw_panels(&dir.join("joint_angles.png"), &format!("{scenario}: joint angles"), rec, &angles)?;

    let torques: Vec<Panel<'_>> = joints
        .iter()
        .map(|j| {
            let mut series = Vec::new();
            for (label, name) in [
                ("human", format!("{j}_human_torque_nm")),
                ("exoskeleton delivered", format!("exo_{j}_torque_nm")),
                ("assistance demanded", format!("exo_{j}_demand_nm")),
            ] {
                if let Some(c) = ch(rec, &name) {
                    series.push((label.to_string(), c, 1.0));
                }
            }
            Panel { title: format!("{j} torque"), y_label: "N m", series }
        })
        .collect();
    draw_panels(&dir.join("torques.png"), &format!("{scenario}: torques"), rec, &torques)?;

    let mut interaction = Vec::new();
    for c in rec.channels().iter().filter(|c| c.name.ends_with("_cuff_normal_n")) {
        let cuff = c.name.trim_end_matches("_normal_n");
        let mut series = Vec::new();
        for (label, suffix) in [("normal", "_normal_n"), ("shear", "_shear_n")] {
            if let Some(i) = ch(rec, &format!("{cuff}{suffix}")) {
                series.push((label.to_string(), i, 1.0));
            }
        }
        interaction.push(Panel { title: format!("{cuff} force"), y_label: "N", series });
    }
    let torque_series: Vec<(String, usize, f64)> = joints
        .iter()
        .filter_map(|j| ch(rec, &format!("exo_{j}_interaction_nm")).map(|c| (j.to_string(), c, 1.0)))
        .collect();
    if !torque_series.is_empty() {
        interaction.push(Panel {
            title: "interaction torque at the exoskeleton joints".into(),
            y_label: "N m",
            series: torque_series,
        });
    }
    draw_panels(&dir.join("interaction.png"), &format!("{scenario}: interaction"), rec, &interaction)?;

    let current: Vec<(String, usize, f64)> =
        joints.iter().filter_map(|j| ch(rec, &format!("exo_{j}_current_a")).map(|c| (j.to_string(), c, 1.0))).collect();
    let temp: Vec<(String, usize, f64)> =
        joints.iter().filter_map(|j| ch(rec, &format!("exo_{j}_winding_c")).map(|c| (j.to_string(), c, 1.0))).collect();
    if !current.is_empty() {
        let panels = vec![
            Panel { title: "motor current".into(), y_label: "A", series: current },
            Panel { title: "winding temperature".into(), y_label: "°C", series: temp },
        ];
        draw_panels(&dir.join("motor.png"), &format!("{scenario}: motors"), rec, &panels)?;
    }
    if let (Some(s), Some(r)) = (ch(rec, "supervisor_state"), ch(rec, "supervisor_reason")) {
        let panels = vec![
            Panel {
                title: "supervisor state (0 active, 1 limited, 2 safe stop)".into(),
                y_label: "state",
                series: vec![("state".into(), s, 1.0)],
            },
            Panel { title: "reason code".into(), y_label: "code", series: vec![("reason".into(), r, 1.0)] },
        ];
        draw_panels(&dir.join("supervisor.png"), &format!("{scenario}: supervisor"), rec, &panels)?;
    }
    Ok(())
}
