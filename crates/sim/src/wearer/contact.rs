//! Foot–ground contact as the field's musculoskeletal walking models use it: OpenSim's
//! `SmoothSphereHalfSpaceForce`, a sphere fixed to a foot pressing on the floor.
//!
//! The force law is the smooth Hunt–Crossley contact with Stribeck-like friction of Serrancolí et al. (2019),
//! "Subject-exoskeleton contact model calibration leads to accurate interaction force predictions", IEEE TNSRE
//! 27(8):1597, as Simbody's `SmoothSphereHalfSpaceForce` evaluates it (OpenSim 4.6). It is written out in
//! [`SmoothSphereHalfSpace::load`]. Every term is smooth except the friction's `min(v_rel, 1)`, which is only C0
//! where the slip speed equals the transition velocity.

/// The parameters of one sphere–floor contact. The floor is the plane `y = 0` of ground, solid below, with outward
/// normal `+y` (OpenSim's gait models' `floor`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothSphereHalfSpace {
    /// Sphere radius, m.
    pub radius_m: f64,
    /// Plane-strain stiffness `E` of the Hertz law, N/m (the Hertz constant is `k = ½ E^(2/3)`).
    pub stiffness_n_per_m: f64,
    /// Hunt–Crossley dissipation `c`, s/m.
    pub dissipation_s_per_m: f64,
    /// Static friction coefficient.
    pub static_friction: f64,
    /// Dynamic friction coefficient.
    pub dynamic_friction: f64,
    /// Viscous friction coefficient, s/m.
    pub viscous_friction_s_per_m: f64,
    /// Slip speed at which friction turns from static to dynamic, m/s.
    pub transition_velocity_m_per_s: f64,
    /// Regulariser added under the square roots of the indentation (m²) and the slip speed (m²/s²).
    pub constant_contact_force: f64,
    /// Sharpness of the smooth step that switches the Hertz force on with indentation, 1/m.
    pub hertz_smoothing: f64,
    /// Sharpness of the smooth step that keeps the Hunt–Crossley force from pulling, s/m.
    pub hunt_crossley_smoothing: f64,
}

impl SmoothSphereHalfSpace {
    /// The values of Falisse et al. (2019), J R Soc Interface 16:20190402, as set in their predictive
    /// simulations (stiffness 1e6 N/m, dissipation 2 s/m, friction 0.8 / 0.8 / 0.5 s/m, transition 0.2 m/s), with
    /// OpenSim's defaults for the regulariser (1e-5) and the smoothing (300 and 50), for a sphere of `radius_m`.
    #[must_use]
    pub fn falisse_2019(radius_m: f64) -> Self {
        Self {
            radius_m,
            stiffness_n_per_m: 1e6,
            dissipation_s_per_m: 2.0,
            static_friction: 0.8,
            dynamic_friction: 0.8,
            viscous_friction_s_per_m: 0.5,
            transition_velocity_m_per_s: 0.2,
            constant_contact_force: 1e-5,
            hertz_smoothing: 300.0,
            hunt_crossley_smoothing: 50.0,
        }
    }

    /// The load on the sphere whose centre is at `centre_m` (ground) moving with `velocity_m_per_s` and spinning at
    /// `angular_velocity_rad_per_s` (ground): the force (N) it receives and the torque (N m) about its centre,
    /// acting at the contact point (m). The floor receives the opposite force at the same point.
    ///
    /// With indentation `d = r - y_centre`, `n = -ŷ` (into the floor), the contact point
    /// `p = centre + (r - d/2) n` and `v` the sphere's velocity at `p`:
    ///
    /// ```text
    /// k   = ½ E^(2/3)
    /// f_H = 4/3 k √(r k) (√(d² + cf))^(3/2) · (½ + ½ tanh(b_d d))
    /// v_n = v · n                                   (approaching > 0)
    /// f   = f_H (1 + 1.5 c v_n) · (½ + ½ tanh(b_v (v_n + 2/(3c))))
    /// v_t = v - v_n n,  v_s = √(|v_t|² + cf),  v_r = v_s / v_tr
    /// μ   = min(v_r, 1) (μ_d + 2 (μ_s - μ_d) / (1 + v_r²)) + μ_v v_s
    /// F_floor = f n + f μ v_t / v_s,   F_sphere = -F_floor
    /// ```
    #[must_use]
    pub fn load(
        &self,
        centre_m: [f64; 3],
        velocity_m_per_s: [f64; 3],
        angular_velocity_rad_per_s: [f64; 3],
    ) -> ContactLoad {
        let r = self.radius_m;
        let cf = self.constant_contact_force;
        let d = r - centre_m[1];
        let n = [0.0, -1.0, 0.0];
        let arm = [0.0, -(r - 0.5 * d), 0.0];
        let point_m = [centre_m[0] + arm[0], centre_m[1] + arm[1], centre_m[2] + arm[2]];
        let w = angular_velocity_rad_per_s;
        let v = [
            velocity_m_per_s[0] + w[1] * arm[2] - w[2] * arm[1],
            velocity_m_per_s[1] + w[2] * arm[0] - w[0] * arm[2],
            velocity_m_per_s[2] + w[0] * arm[1] - w[1] * arm[0],
        ];
        let k = 0.5 * self.stiffness_n_per_m.powf(2.0 / 3.0);
        let hertz = 4.0 / 3.0
            * k
            * (r * k).sqrt()
            * (d * d + cf).sqrt().powf(1.5)
            * (0.5 + 0.5 * (self.hertz_smoothing * d).tanh());
        let c = self.dissipation_s_per_m;
        let vn = v[0] * n[0] + v[1] * n[1] + v[2] * n[2];
        let normal =
            hertz * (1.0 + 1.5 * c * vn) * (0.5 + 0.5 * (self.hunt_crossley_smoothing * (vn + 2.0 / (3.0 * c))).tanh());
        let vt = [v[0] - vn * n[0], v[1] - vn * n[1], v[2] - vn * n[2]];
        let slip = (vt[0] * vt[0] + vt[1] * vt[1] + vt[2] * vt[2] + cf).sqrt();
        let vr = slip / self.transition_velocity_m_per_s;
        let (us, ud) = (self.static_friction, self.dynamic_friction);
        let friction =
            normal * (vr.min(1.0) * (ud + 2.0 * (us - ud) / (1.0 + vr * vr)) + self.viscous_friction_s_per_m * slip);
        let floor = [0, 1, 2].map(|i| normal * n[i] + friction * vt[i] / slip);
        let force_n = floor.map(|f| -f);
        let torque_nm = [
            arm[1] * force_n[2] - arm[2] * force_n[1],
            arm[2] * force_n[0] - arm[0] * force_n[2],
            arm[0] * force_n[1] - arm[1] * force_n[0],
        ];
        ContactLoad { force_n, point_m, torque_about_centre_nm: torque_nm }
    }
}

/// What the floor does to a contact sphere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContactLoad {
    /// Force on the sphere, ground components, N.
    pub force_n: [f64; 3],
    /// Where it acts, in ground, m.
    pub point_m: [f64; 3],
    /// Its moment about the sphere's centre, N m.
    pub torque_about_centre_nm: [f64; 3],
}
