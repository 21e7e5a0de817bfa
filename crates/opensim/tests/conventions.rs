//! The data read, used as its documentation says, reproduces OpenSim's own body poses and muscle lengths
//! (`data/pose_reference.csv`, from OpenSim 4.6 by `data/make_pose_reference.py`). The kinematics here is test code
//! only: the crate itself computes none.

mod common;

use std::collections::HashMap;

use common::{MODEL, asset};
use exo_opensim::{Frame, JointKind, Model, PathPoint, read_model};

type M3 = [[f64; 3]; 3];
type V3 = [f64; 3];

fn mul(a: &M3, b: &M3) -> M3 {
    let mut c = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            c[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    c
}

fn apply(a: &M3, v: V3) -> V3 {
    [0, 1, 2].map(|i| (0..3).map(|k| a[i][k] * v[k]).sum())
}

fn transpose(a: &M3) -> M3 {
    [0, 1, 2].map(|i| [0, 1, 2].map(|j| a[j][i]))
}

fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// Rotation by `angle` about unit `axis` (Rodrigues).
fn rotation(axis: V3, angle: f64) -> M3 {
    let n = (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]).sqrt();
    let [x, y, z] = axis.map(|a| a / n);
    let (s, c) = angle.sin_cos();
    let t = 1.0 - c;
    [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ]
}

/// A pose: rotation and origin, in a parent.
#[derive(Clone, Copy)]
struct X {
    r: M3,
    p: V3,
}

impl X {
    fn then(&self, other: &X) -> X {
        X { r: mul(&self.r, &other.r), p: add(self.p, apply(&self.r, other.p)) }
    }
    fn inverse(&self) -> X {
        let rt = transpose(&self.r);
        X { r: rt, p: apply(&rt, self.p).map(|v| -v) }
    }
}

/// The frame's pose in its body: translation, then the body-fixed x-y-z rotation.
fn offset(frame: &Frame) -> X {
    let [a, b, c] = frame.orientation_rad;
    let r = mul(&mul(&rotation([1.0, 0.0, 0.0], a), &rotation([0.0, 1.0, 0.0], b)), &rotation([0.0, 0.0, 1.0], c));
    X { r, p: frame.translation_m }
}

fn poses(model: &Model, q: &HashMap<String, f64>) -> HashMap<String, X> {
    let mut done: HashMap<String, X> =
        HashMap::from([("ground".into(), X { r: rotation([0.0, 0.0, 1.0], 0.0), p: [0.0; 3] })]);
    while done.len() <= model.bodies.len() {
        for joint in &model.joints {
            let (Some(parent), false) =
                (done.get(&joint.parent_frame.body), done.contains_key(&joint.child_frame.body))
            else {
                continue;
            };
            let value = |name: &str| q[name];
            let fm = match &joint.kind {
                JointKind::Weld => X { r: rotation([0.0, 0.0, 1.0], 0.0), p: [0.0; 3] },
                JointKind::Pin => X { r: rotation([0.0, 0.0, 1.0], value(&joint.coordinates[0].name)), p: [0.0; 3] },
                JointKind::Custom { transform } => {
                    let f: Vec<f64> = transform
                        .axes
                        .iter()
                        .map(|a| a.function.value(a.coordinates.first().map_or(0.0, |c| value(c))))
                        .collect();
                    let r = transform
                        .rotations()
                        .iter()
                        .zip(&f)
                        .fold(rotation([0.0, 0.0, 1.0], 0.0), |r, (a, v)| mul(&r, &rotation(a.axis, *v)));
                    let p = transform.translations().iter().zip(&f[3..]).fold([0.0; 3], |p, (a, v)| {
                        let n = (a.axis.iter().map(|c| c * c).sum::<f64>()).sqrt();
                        add(p, a.axis.map(|c| c / n * v))
                    });
                    X { r, p }
                }
                other => panic!("{other:?} is not in subject01"),
            };
            let child = parent.then(&offset(&joint.parent_frame)).then(&fm).then(&offset(&joint.child_frame).inverse());
            done.insert(joint.child_frame.body.clone(), child);
        }
    }
    done
}

fn muscle_length(model: &Model, name: &str, q: &HashMap<String, f64>, bodies: &HashMap<String, X>) -> f64 {
    let muscle = model.muscle(name).unwrap();
    let mut points = Vec::new();
    for point in &muscle.path {
        let local = match point {
            PathPoint::Fixed { location_m, .. } => Some(*location_m),
            PathPoint::Conditional { location_m, coordinate, range, .. } => {
                let v = q[coordinate];
                (v >= range[0] - 1e-5 && v <= range[1] + 1e-5).then_some(*location_m)
            }
            PathPoint::Moving { x, y, z, .. } => Some([x, y, z].map(|c| {
                let arg = c.coordinate.as_ref().map_or(0.0, |name| {
                    let (_, coordinate) = model.coordinate(name).unwrap();
                    q[name].clamp(coordinate.range[0], coordinate.range[1])
                });
                c.function.value(arg)
            })),
        };
        if let Some(local) = local {
            let body = &bodies[point.body()];
            points.push(add(body.p, apply(&body.r, local)));
        }
    }
    points.windows(2).map(|w| (0..3).map(|k| (w[1][k] - w[0][k]).powi(2)).sum::<f64>().sqrt()).sum()
}

#[test]
fn body_poses_and_muscle_lengths_match_opensim() {
    let model = read_model(asset(MODEL)).unwrap();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pose_reference.csv")).unwrap();
    let mut q = HashMap::new();
    let mut bodies = HashMap::new();
    let (mut worst_position, mut worst_rotation, mut worst_length, mut rows) = (0.0_f64, 0.0_f64, 0.0_f64, 0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        match fields[1] {
            "coordinates" => {
                q = fields[3]
                    .split(' ')
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap();
                        (k.to_string(), v.parse::<f64>().unwrap())
                    })
                    .collect();
                bodies = poses(&model, &q);
            }
            "body" => {
                let v: Vec<f64> = fields[3].split(' ').map(|s| s.parse().unwrap()).collect();
                let ours = &bodies[fields[2]];
                for k in 0..3 {
                    worst_position = worst_position.max((ours.p[k] - v[k]).abs());
                    for j in 0..3 {
                        worst_rotation = worst_rotation.max((ours.r[k][j] - v[3 + 3 * k + j]).abs());
                    }
                }
                rows += 1;
            }
            _ => {
                let theirs: f64 = fields[3].parse().unwrap();
                worst_length = worst_length.max((muscle_length(&model, fields[2], &q, &bodies) - theirs).abs());
                rows += 1;
            }
        }
    }
    assert_eq!(rows, 3 * (12 + 18));
    println!("worst: position {worst_position:e} m, rotation {worst_rotation:e}, length {worst_length:e} m");
    assert!(worst_position < 1e-12, "body origins differ by up to {worst_position:e} m");
    assert!(worst_rotation < 1e-12, "body rotations differ by up to {worst_rotation:e}");
    assert!(worst_length < 1e-12, "muscle lengths differ by up to {worst_length:e} m");
}
