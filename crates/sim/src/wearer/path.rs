//! Muscle-tendon paths on a [`Skeleton`]: the path points of an OpenSim muscle (fixed, conditional, moving)
//! placed by the skeleton's kinematics, giving the path's length, lengthening speed and moment arms.
//!
//! As OpenSim's `GeometryPath` without wrapping (wrap objects are refused by the model reader): the path is the
//! polyline through its active points in order. A `ConditionalPathPoint` is active while its coordinate is within
//! its range widened by 1e-5 (OpenSim's `isActive`); a `MovingPathPoint`'s location is its functions at the
//! coordinate's value clamped to the coordinate's range, and its velocity differentiates them at the unclamped
//! value (OpenSim's `getLocation` and `getVelocity`). The moment arm about a coordinate is `r = -dL/dq`, which is
//! the lengthening speed at unit speed of that coordinate alone, negated: exact, as the speed is linear in the
//! coordinate speeds.

use exo_opensim::{Muscle, OsimError, PathPoint};
use nalgebra::Vector3;

use super::skeleton::{Skeleton, SkeletonKinematics};
use crate::multibody::Curve;

/// Where a path point sits.
#[derive(Clone, Debug)]
enum Site {
    /// Fixed in a body (index into [`Skeleton::bodies`], `None` for ground), location in the body frame, m.
    Fixed(Option<usize>, [f64; 3]),
    /// Fixed, and active only while coordinate `coordinate` lies in `range` (rad or m).
    Conditional(Option<usize>, [f64; 3], usize, [f64; 2]),
    /// Moving in a body: each component a curve of a coordinate (`None`: the curve at 0), clamped to `range`.
    Moving(Option<usize>, Box<[(Option<usize>, Curve); 3]>),
}

/// A muscle's path on a skeleton.
#[derive(Clone, Debug)]
pub struct MusclePath {
    /// The muscle's name.
    pub name: String,
    names: Vec<String>,
    sites: Vec<Site>,
    /// The coordinates whose speed can change the path's length (indices into the skeleton's coordinates): a
    /// joint between some of its points and the others, or a moving point's coordinate. Its moment arm about
    /// every other coordinate is zero.
    crossed: Vec<usize>,
}

/// The coordinates whose motion changes the distances between `sites`: those whose engine joint carries some sites
/// but not all (moving one moves the others rigidly otherwise), and those a moving point's functions read.
fn crossed_coordinates(skeleton: &Skeleton, sites: &[Site]) -> Vec<usize> {
    let bodies = &skeleton.model.bodies;
    // Whether engine body `d` is `e` or one of its ancestors.
    let carries = |d: usize, e: Option<usize>| -> bool {
        let mut at = e;
        while let Some(i) = at {
            if i == d {
                return true;
            }
            at = bodies[i].parent;
        }
        false
    };
    let engine_body = |site: &Site| -> Option<usize> {
        let b = match site {
            Site::Fixed(b, _) | Site::Conditional(b, ..) | Site::Moving(b, _) => *b,
        };
        b.map(|b| skeleton.bodies[b].engine_body)
    };
    let on: Vec<Option<usize>> = sites.iter().map(engine_body).collect();
    (0..skeleton.coordinates.len())
        .filter(|&k| {
            let d = skeleton.coordinates[k].dof;
            let carried = on.iter().filter(|&&e| carries(d, e)).count();
            let moving = sites.iter().any(|s| match s {
                Site::Moving(_, components) => components.iter().any(|(c, _)| *c == Some(k)),
                _ => false,
            });
            (carried > 0 && carried < on.len()) || moving
        })
        .collect()
}

/// OpenSim's tolerance on a conditional point's range (`ConditionalPathPoint::isActive`).
const CONDITIONAL_RANGE_TOLERANCE: f64 = 1e-5;

impl MusclePath {
    /// The path of `muscle` on `skeleton`; `file` names the model file in errors.
    ///
    /// # Errors
    /// A point on a body or a coordinate the skeleton does not have, or a moving point's function that is not a
    /// piecewise cubic (see [`Skeleton::from_osim`]).
    pub fn new(muscle: &Muscle, skeleton: &Skeleton, file: &str) -> Result<Self, OsimError> {
        let err = |line: u32, point: &str, problem: String| OsimError {
            file: file.to_string(),
            line,
            element: format!("{} of muscle {}", point, muscle.name),
            problem,
        };
        let body = |p: &PathPoint| -> Result<Option<usize>, OsimError> {
            match p.body() {
                "ground" => Ok(None),
                b => skeleton
                    .body(b)
                    .map(Some)
                    .ok_or_else(|| err(p.line(), p.name(), format!("body `{b}` is not in the skeleton"))),
            }
        };
        let coordinate = |p: &PathPoint, c: &str| {
            skeleton
                .coordinate(c)
                .ok_or_else(|| err(p.line(), p.name(), format!("coordinate `{c}` is not in the skeleton")))
        };
        let mut sites = Vec::with_capacity(muscle.path.len());
        for p in &muscle.path {
            sites.push(match p {
                PathPoint::Fixed { location_m, .. } => Site::Fixed(body(p)?, *location_m),
                PathPoint::Conditional { location_m, coordinate: c, range, .. } => {
                    Site::Conditional(body(p)?, *location_m, coordinate(p, c)?, *range)
                }
                PathPoint::Moving { x, y, z, .. } => {
                    let component = |m: &exo_opensim::MovingComponent| -> Result<(Option<usize>, Curve), OsimError> {
                        let c = m.coordinate.as_deref().map(|c| coordinate(p, c)).transpose()?;
                        Ok((c, super::skeleton::curve(&m.function, file, p.line(), p.name())?))
                    };
                    Site::Moving(body(p)?, Box::new([component(x)?, component(y)?, component(z)?]))
                }
            });
        }
        let crossed = crossed_coordinates(skeleton, &sites);
        Ok(Self {
            name: muscle.name.clone(),
            names: muscle.path.iter().map(|p| p.name().to_string()).collect(),
            sites,
            crossed,
        })
    }

    /// The coordinates the path crosses (its moment arm about any other is zero), skeleton indices.
    #[must_use]
    pub fn crossed_coordinates(&self) -> &[usize] {
        &self.crossed
    }

    fn active(&self, q: &[f64], i: usize) -> bool {
        match &self.sites[i] {
            Site::Conditional(_, _, c, [lo, hi]) => {
                q[*c] >= lo - CONDITIONAL_RANGE_TOLERANCE && q[*c] <= hi + CONDITIONAL_RANGE_TOLERANCE
            }
            _ => true,
        }
    }

    /// The names of the points on the path at coordinates `q`, in order.
    #[must_use]
    pub fn active_points(&self, q: &[f64]) -> Vec<&str> {
        (0..self.sites.len()).filter(|&i| self.active(q, i)).map(|i| self.names[i].as_str()).collect()
    }

    /// Position (m) and velocity (m/s) in ground of point `i`, with `kin` updated at `q`, `u`.
    fn point(
        &self,
        skeleton: &Skeleton,
        kin: &SkeletonKinematics,
        q: &[f64],
        u: &[f64],
        i: usize,
    ) -> (Vector3<f64>, Vector3<f64>) {
        let (body, local, local_velocity) = match &self.sites[i] {
            Site::Fixed(b, p) | Site::Conditional(b, p, ..) => (*b, *p, [0.0; 3]),
            Site::Moving(b, components) => {
                let mut p = [0.0; 3];
                let mut v = [0.0; 3];
                for (k, (c, f)) in components.iter().enumerate() {
                    match c {
                        None => p[k] = f.value(0.0),
                        Some(c) => {
                            let [lo, hi] = skeleton.coordinates[*c].range;
                            p[k] = f.value(q[*c].clamp(lo, hi));
                            v[k] = f.evaluate(q[*c]).first * u[*c];
                        }
                    }
                }
                (*b, p, v)
            }
        };
        let Some(b) = body else {
            return (Vector3::from(local), Vector3::from(local_velocity));
        };
        let p = Vector3::from(kin.station(skeleton, b, local));
        let mut v = Vector3::from(kin.station_velocity(skeleton, b, local));
        // The point's own motion in the body, turned into ground (a moving point's only: the body's angle is not
        // worth its sine and cosine for the fixed ones).
        if local_velocity != [0.0; 3] {
            let (s, c) = kin.body(skeleton, b).angle_rad.sin_cos();
            v += Vector3::new(
                c * local_velocity[0] - s * local_velocity[1],
                s * local_velocity[0] + c * local_velocity[1],
                local_velocity[2],
            );
        }
        (p, v)
    }

    /// Path length (m) and lengthening speed (m/s, positive lengthening), with `kin` updated at `q`, `u`.
    #[must_use]
    pub fn length_and_speed(&self, skeleton: &Skeleton, kin: &SkeletonKinematics, q: &[f64], u: &[f64]) -> (f64, f64) {
        let mut length = 0.0;
        let mut speed = 0.0;
        let mut previous: Option<(Vector3<f64>, Vector3<f64>)> = None;
        for i in (0..self.sites.len()).filter(|&i| self.active(q, i)) {
            let (p, v) = self.point(skeleton, kin, q, u, i);
            if let Some((p0, v0)) = previous {
                let d = p - p0;
                let l = d.norm();
                length += l;
                if l > 0.0 {
                    speed += d.dot(&(v - v0)) / l;
                }
            }
            previous = Some((p, v));
        }
        (length, speed)
    }

    /// The path's active points in ground at `q` (OpenSim's x, y, z), m, into `out` (cleared first), with `kin`
    /// updated at `q`: the polyline a viewer draws.
    pub fn points_m(&self, skeleton: &Skeleton, kin: &SkeletonKinematics, q: &[f64], out: &mut Vec<[f64; 3]>) {
        out.clear();
        for i in (0..self.sites.len()).filter(|&i| self.active(q, i)) {
            // The position does not depend on the speeds given (any slice of one per coordinate will do).
            let (p, _) = self.point(skeleton, kin, q, q, i);
            out.push([p.x, p.y, p.z]);
        }
    }

    /// Moment arms about every coordinate (m per rad, or m per m), `r = -dL/dq`, into `out` (one per coordinate);
    /// `kin` is updated in the process. For several paths at once, [`moment_arms_of_all`] shares the kinematics.
    pub fn moment_arms(&self, skeleton: &Skeleton, kin: &mut SkeletonKinematics, q: &[f64], out: &mut [f64]) {
        let mut rows = [out.to_vec()];
        moment_arms_of_all(std::slice::from_ref(self), skeleton, kin, q, &mut rows);
        out.copy_from_slice(&rows[0]);
    }
}

/// Moment arms of every path about every coordinate, `out[path][coordinate]` (m per rad, or m per m): the
/// positions once, then for each coordinate some path crosses the velocities at its unit speed (a Jacobian column)
/// and the lengthening speed of the paths that cross it; zero about the coordinates a path does not cross. `kin`
/// is left at `q` with the unit speed of the last crossed coordinate (and the velocity-product terms of zero
/// speeds): update it before reading velocities from it.
pub fn moment_arms_of_all(
    paths: &[MusclePath],
    skeleton: &Skeleton,
    kin: &mut SkeletonKinematics,
    q: &[f64],
    out: &mut [Vec<f64>],
) {
    kin.update(skeleton, q, &vec![0.0; q.len()]);
    moment_arms_at_positions(paths, skeleton, kin, q, out);
}

/// [`moment_arms_of_all`] with `kin` already at the positions of `q` (whatever its speeds): the Jacobian columns
/// only, for a caller that has just updated the kinematics.
pub(crate) fn moment_arms_at_positions(
    paths: &[MusclePath],
    skeleton: &Skeleton,
    kin: &mut SkeletonKinematics,
    q: &[f64],
    out: &mut [Vec<f64>],
) {
    let mut u = vec![0.0; q.len()];
    for row in out.iter_mut() {
        row.iter_mut().for_each(|x| *x = 0.0);
    }
    for k in 0..q.len() {
        if !paths.iter().any(|p| p.crossed.contains(&k)) {
            continue;
        }
        u[k] = 1.0;
        kin.update_speeds(skeleton, &u);
        for (p, row) in paths.iter().zip(out.iter_mut()) {
            if p.crossed.contains(&k) {
                row[k] = -p.length_and_speed(skeleton, kin, q, &u).1;
            }
        }
        u[k] = 0.0;
    }
}
