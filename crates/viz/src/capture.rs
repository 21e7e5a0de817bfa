//! [`CapturePlugin`]: `--screenshot FILE.png --frames N` renders N frames, saves the window, checks the picture
//! and exits (non-zero when the check fails).
//!
//! The check: the picture is not blank (the variance of its luminance is above [`MIN_LUMA_VARIANCE`]), and the
//! leg's colour appears where the leg should be: the thigh's mid-point, projected through the camera with
//! `Camera::world_to_viewport`, has at least [`MIN_LEG_FRACTION`] of leg-coloured pixels in the
//! [`PROBE_SIZE`]-pixel square around it.

use std::path::PathBuf;

use bevy::camera::CameraUpdateSystems;
use bevy::prelude::*;
use bevy::render::render_resource::TextureFormat;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::transform::TransformSystems;
use bevy::window::PrimaryWindow;

use crate::camera::OrbitCamera;
use crate::draw::palette;
use crate::rig::Rig;
use crate::scene::Link;

/// Lowest variance of the luminance (0-255 scale) of a picture that is not blank: a standard deviation of 10
/// levels. A uniform picture has 0; the scene's is in the thousands.
pub const MIN_LUMA_VARIANCE: f64 = 100.0;
/// Side of the square searched around the projected thigh mid-point, physical pixels.
pub const PROBE_SIZE: u32 = 31;
/// Share of the probe square that must have the leg's colour (the exoskeleton's link may cross the thigh in
/// front of the camera; nothing else in the scene has the leg's hue).
pub const MIN_LEG_FRACTION: f64 = 0.10;
/// Largest hue difference from the leg material's hue of a leg-coloured pixel, degrees.
pub const HUE_TOLERANCE_DEG: f32 = 12.0;
/// Lowest saturation and value (HSV) of a leg-coloured pixel (excludes greys, black and shadows).
pub const MIN_SATURATION_VALUE: (f32, f32) = (0.25, 0.12);
/// Frames to wait for a screenshot before giving up.
const TIMEOUT_FRAMES: u32 = 150;

/// Registers the screenshot job.
pub struct CapturePlugin {
    /// Where the PNG goes.
    pub path: PathBuf,
    /// Frames rendered before it is taken (at least 4).
    pub frames: u32,
}

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(CaptureJob { path: self.path.clone(), frames: self.frames.max(4), frame: 0, probe: None })
            .add_systems(PostUpdate, take_screenshot.after(TransformSystems::Propagate).after(CameraUpdateSystems));
    }
}

/// The screenshot being taken.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct CaptureJob {
    /// Where the PNG goes.
    pub path: PathBuf,
    /// Frames rendered before it is taken.
    pub frames: u32,
    /// Frames rendered so far.
    pub frame: u32,
    /// The thigh's mid-point in the picture, physical pixels (from the frame the screenshot was taken).
    pub probe: Option<Vec2>,
}

/// Counts frames and takes the screenshot at the last, noting where the thigh's mid-point projects in that
/// frame (the frame the renderer draws from the same transforms).
pub fn take_screenshot(
    mut commands: Commands,
    mut job: ResMut<CaptureJob>,
    rig: Option<Res<Rig>>,
    links: Query<(&Link, &GlobalTransform)>,
    cameras: Query<(&Camera, &GlobalTransform), With<OrbitCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut exit: MessageWriter<AppExit>,
) {
    job.frame += 1;
    if job.frame == job.frames {
        let probe = rig.and_then(|rig| {
            let (_, thigh) = links.iter().find(|(l, _)| l.body == Some(rig.thigh))?;
            let mid = thigh.transform_point(rig.thigh_mid_m.extend(0.0));
            let (camera, at) = cameras.single().ok()?;
            camera.world_to_viewport(at, mid).ok()
        });
        job.probe = probe.map(|p| p * window.scale_factor());
        commands.spawn(Screenshot::primary_window()).observe(check_screenshot);
    } else if job.frame > job.frames + TIMEOUT_FRAMES {
        eprintln!("screenshot: no picture arrived {TIMEOUT_FRAMES} frames after it was asked for");
        exit.write(AppExit::error());
    }
}

/// Hue (degrees), saturation and value of an sRGB pixel.
#[must_use]
pub fn hsv(rgb: [u8; 3]) -> (f32, f32, f32) {
    let [r, g, b] = rgb.map(|c| f32::from(c) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    let hue = if d <= 0.0 {
        0.0
    } else if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (hue, if max > 0.0 { d / max } else { 0.0 }, max)
}

/// True for a pixel of the leg's colour, lit or shaded: the hue of `reference` within [`HUE_TOLERANCE_DEG`],
/// saturated and bright enough.
#[must_use]
pub fn matches_colour(rgb: [u8; 3], reference: [u8; 3]) -> bool {
    let (h, s, v) = hsv(rgb);
    let (h0, ..) = hsv(reference);
    let dh = (h - h0).abs();
    dh.min(360.0 - dh) <= HUE_TOLERANCE_DEG && s >= MIN_SATURATION_VALUE.0 && v >= MIN_SATURATION_VALUE.1
}

/// What the check measured.
#[derive(Clone, Debug, PartialEq)]
pub struct PictureCheck {
    /// Picture size, pixels.
    pub size: (u32, u32),
    /// Variance of the luminance, 0-255 scale.
    pub luma_variance: f64,
    /// The probe point, physical pixels, if the thigh projected into the picture.
    pub probe: Option<Vec2>,
    /// Leg-coloured pixels in the probe square.
    pub leg_pixels: u32,
    /// Pixels of the probe square inside the picture.
    pub probe_pixels: u32,
    /// Leg-coloured pixels in the whole picture.
    pub leg_pixels_total: u32,
}

impl PictureCheck {
    /// Not blank.
    #[must_use]
    pub fn not_blank(&self) -> bool {
        self.luma_variance > MIN_LUMA_VARIANCE
    }

    /// Share of the probe square with the leg's colour.
    #[must_use]
    pub fn leg_fraction(&self) -> f64 {
        if self.probe_pixels == 0 { 0.0 } else { f64::from(self.leg_pixels) / f64::from(self.probe_pixels) }
    }

    /// Both checks passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.not_blank() && self.leg_fraction() >= MIN_LEG_FRACTION
    }
}

/// Measures an RGBA8 (sRGB) picture, `width` x `height`, for the leg colour `leg` around `probe`.
#[must_use]
pub fn check_picture(rgba: &[u8], width: u32, height: u32, probe: Option<Vec2>, leg: [u8; 3]) -> PictureCheck {
    let px = |x: u32, y: u32| {
        let i = 4 * (y as usize * width as usize + x as usize);
        [rgba[i], rgba[i + 1], rgba[i + 2]]
    };
    let (mut sum, mut sum2, mut total) = (0.0f64, 0.0f64, 0u32);
    for y in 0..height {
        for x in 0..width {
            let [r, g, b] = px(x, y);
            let l = 0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b);
            sum += l;
            sum2 += l * l;
            total += u32::from(matches_colour([r, g, b], leg));
        }
    }
    let n = f64::from(width) * f64::from(height);
    let mean = sum / n.max(1.0);
    let (mut hits, mut seen) = (0, 0);
    if let Some(p) = probe {
        let half = (PROBE_SIZE / 2) as i64;
        let (cx, cy) = (p.x.round() as i64, p.y.round() as i64);
        for y in (cy - half)..=(cy + half) {
            for x in (cx - half)..=(cx + half) {
                if x < 0 || y < 0 || x >= i64::from(width) || y >= i64::from(height) {
                    continue;
                }
                seen += 1;
                hits += u32::from(matches_colour(px(x as u32, y as u32), leg));
            }
        }
    }
    PictureCheck {
        size: (width, height),
        luma_variance: sum2 / n.max(1.0) - mean * mean,
        probe,
        leg_pixels: hits,
        probe_pixels: seen,
        leg_pixels_total: total,
    }
}

/// The pixels of a captured image as RGBA8.
fn rgba8(image: &Image) -> Result<Vec<u8>, String> {
    let data = image.data.as_ref().ok_or("the screenshot has no data")?;
    match image.texture_descriptor.format {
        TextureFormat::Rgba8Unorm | TextureFormat::Rgba8UnormSrgb => Ok(data.clone()),
        TextureFormat::Bgra8Unorm | TextureFormat::Bgra8UnormSrgb => {
            Ok(data.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0], p[3]]).collect())
        }
        f => Err(format!("unexpected screenshot format {f:?}")),
    }
}

/// Checks the captured picture, saves it, prints what was measured and exits.
pub fn check_screenshot(captured: On<ScreenshotCaptured>, job: Res<CaptureJob>, mut exit: MessageWriter<AppExit>) {
    let leg = palette::SKIN.to_srgba().to_u8_array_no_alpha();
    let image = &captured.image;
    let (width, height) = (image.width(), image.height());
    let check = rgba8(image).map(|rgba| check_picture(&rgba, width, height, job.probe, leg));
    let mut save = save_to_disk(job.path.clone());
    save(captured);
    let saved = std::fs::metadata(&job.path).map(|m| m.len()).unwrap_or(0);
    let path = job.path.display();
    let check = match check {
        Ok(c) => c,
        Err(e) => {
            eprintln!("screenshot {path}: cannot check the picture: {e}");
            exit.write(AppExit::error());
            return;
        }
    };
    let verdict = |ok: bool| if ok { "ok" } else { "FAILED" };
    println!("screenshot {path}: {}x{} pixels, {saved} bytes written", check.size.0, check.size.1);
    println!(
        "  not blank: luminance variance {:.1} (threshold {MIN_LUMA_VARIANCE}): {}",
        check.luma_variance,
        verdict(check.not_blank())
    );
    let (h, ..) = hsv(leg);
    match check.probe {
        Some(p) => println!(
            "  leg colour: thigh mid-point projects to pixel ({:.0}, {:.0}); {} of {} pixels in the {PROBE_SIZE}x{PROBE_SIZE} \
             square around it have the leg's hue ({h:.0}° ± {HUE_TOLERANCE_DEG}°, saturation >= {}, value >= {}): {:.0} % \
             (threshold {:.0} %): {}",
            p.x,
            p.y,
            check.leg_pixels,
            check.probe_pixels,
            MIN_SATURATION_VALUE.0,
            MIN_SATURATION_VALUE.1,
            100.0 * check.leg_fraction(),
            100.0 * MIN_LEG_FRACTION,
            verdict(check.leg_fraction() >= MIN_LEG_FRACTION)
        ),
        None => println!("  leg colour: the thigh's mid-point is not in view: FAILED"),
    }
    println!("  leg-coloured pixels in the whole picture: {}", check.leg_pixels_total);
    let ok = check.passed() && saved > 0;
    if saved == 0 {
        eprintln!("screenshot {path}: the file was not written");
    }
    println!("screenshot check: {}", if ok { "passed" } else { "FAILED" });
    exit.write(if ok { AppExit::Success } else { AppExit::error() });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RGBA picture from a colour per pixel.
    fn picture(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .flat_map(|(x, y)| {
                let [r, g, b] = f(x, y);
                [r, g, b, 255]
            })
            .collect()
    }

    #[test]
    fn blank_pictures_and_missing_legs_fail_the_check() {
        let leg = palette::SKIN.to_srgba().to_u8_array_no_alpha();
        let shaded = [leg[0] / 2, leg[1] / 2, leg[2] / 2];
        let (w, h) = (100, 80);
        let blank = picture(w, h, |_, _| [40, 40, 40]);
        let c = check_picture(&blank, w, h, Some(Vec2::new(50.0, 40.0)), leg);
        assert!(!c.not_blank() && !c.passed());
        // A shaded leg on a striped background, where the probe says.
        let scene = picture(w, h, |x, y| {
            if (40..60).contains(&x) {
                shaded
            } else if y % 8 < 4 {
                [200, 200, 210]
            } else {
                [30, 30, 30]
            }
        });
        let c = check_picture(&scene, w, h, Some(Vec2::new(50.0, 40.0)), leg);
        assert!(c.not_blank() && c.passed(), "{c:?}");
        // The same picture probed away from the leg.
        let c = check_picture(&scene, w, h, Some(Vec2::new(10.0, 40.0)), leg);
        assert!(!c.passed());
        assert!(
            matches_colour(leg, leg) && !matches_colour([128, 128, 128], leg) && !matches_colour([230, 25, 115], leg)
        );
    }
}
