//! ECS tests of the visualiser's logic: no window, no GPU (`MinimalPlugins`, manual time, `app.update()`).

use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use exo_control::ParamId;
use exo_sim::simulation::Simulation;
use exo_viz::coords::{self, LEG_LATERAL_M};
use exo_viz::frames::Frames;
use exo_viz::gains::GainPanel;
use exo_viz::live::{LiveSim, Running};
use exo_viz::playback::Playback;
use exo_viz::replay::Replay;
use exo_viz::rig::Part;
use exo_viz::scenarios;
use exo_viz::scene::{Link, ScenePlugin};
use exo_viz::sim::SimPlugin;
use exo_viz::source::{install_live, install_replay};

/// Frame time of the tests: ten control ticks of the default scenario (1 ms).
const FRAME: Duration = Duration::from_millis(10);

/// The default scenario, read from the workspace's `scenarios/` so that its assets resolve from the checkout's
/// `assets/` (the tests run in `crates/viz`, and the target directory may lie outside the checkout, as in CI).
fn default_scenario() -> exo_sim::scenario::LoadedScenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../").join(scenarios::DEFAULT_SCENARIO_PATH);
    scenarios::load(Some(&path)).expect("default scenario")
}

fn app(frame: Duration) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, SimPlugin, ScenePlugin));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(frame));
    let live = LiveSim::build(default_scenario()).expect("it builds");
    install_live(app.world_mut(), live);
    // The first update starts the clocks (no time passes) and spawns the rig.
    app.update();
    app
}

/// Reads the live one-legged simulation.
fn leg<R>(app: &App, f: impl FnOnce(&Simulation) -> R) -> R {
    app.world().resource::<LiveSim>().read(|r| match r {
        Running::Leg(sim) => f(sim),
        Running::Walk(_) => panic!("the default scenario is one-legged"),
    })
}

fn ticks(app: &App) -> u64 {
    app.world().resource::<LiveSim>().read_loop(|s| s.ticks())
}

fn time_s(app: &App) -> f64 {
    app.world().resource::<LiveSim>().read_loop(|s| s.time_s())
}

fn playback(app: &mut App) -> Mut<'_, Playback> {
    app.world_mut().resource_mut::<Playback>()
}

#[test]
fn links_are_placed_where_the_simulation_says() {
    let mut app = app(FRAME);
    for _ in 0..5 {
        app.update();
    }
    assert!(ticks(&app) >= 40, "the simulation ran");
    // Paused, rendering shows the last step exactly.
    playback(&mut app).paused = true;
    app.update();
    let world_poses: Vec<_> = leg(&app, |s| s.world().kinematics().pose.clone());
    let pelvis = leg(&app, |s| s.world().pelvis_pose());
    let mut q = app.world_mut().query::<(&Link, &Transform)>();
    let links: Vec<(Link, Transform)> = q.iter(app.world()).map(|(l, t)| (l.clone(), *t)).collect();
    assert!(links.len() >= 6, "pelvis, three leg segments and two exoskeleton links: {}", links.len());
    for (link, tf) in &links {
        let pose = link.body.map_or(pelvis, |b| world_poses[b]);
        let expected = Vec3::new(pose.origin_m.x as f32, pose.origin_m.y as f32, link.lateral_m);
        assert!(tf.translation.abs_diff_eq(expected, 1e-6), "{:?}: {} vs {expected}", link.part, tf.translation);
        assert!(tf.rotation.abs_diff_eq(Quat::from_rotation_z(pose.angle_rad as f32), 1e-6), "{:?}", link.part);
    }
    // The mapping itself: the thigh frame carried down its length reaches the knee, where the shank starts.
    let find = |p: Part| links.iter().find(|(l, _)| l.part == p).map(|(_, t)| *t).unwrap();
    let (thigh, shank) =
        (find(Part::Leg(exo_sim::body::SegmentKind::Thigh)), find(Part::Leg(exo_sim::body::SegmentKind::Shank)));
    let thigh_len = match leg(&app, |s| *s.world().leg_model()) {
        exo_sim::world::LegModel::Human(g) => g.anthropometry.thigh.length_m as f32,
        exo_sim::world::LegModel::Reference => unreachable!(),
    };
    let knee = thigh.transform_point(Vec3::new(0.0, -thigh_len, 0.0));
    assert!(knee.abs_diff_eq(shank.translation.with_z(thigh.translation.z), 1e-5), "{knee} vs {}", shank.translation);
    assert_eq!(thigh.translation.z, LEG_LATERAL_M);
}

#[test]
fn links_are_interpolated_between_the_last_two_steps() {
    // 10.5 ms frames with 1 ms steps leave half a step of overstep: rendering sits halfway between the steps.
    let mut app = app(Duration::from_micros(10_500));
    app.update();
    let frames = app.world().resource::<Frames>().clone();
    let overstep = app.world().resource::<Time<Fixed>>().overstep_fraction_f64();
    assert!((overstep - 0.5).abs() < 1e-6, "overstep {overstep}");
    let thigh = leg(&app, |s| s.world().leg().thigh);
    let expected =
        coords::transform(&coords::lerp_pose(&frames.prev.poses[thigh], &frames.curr.poses[thigh], 0.5), LEG_LATERAL_M);
    let mut q = app.world_mut().query::<(&Link, &Transform)>();
    let (_, tf) = q.iter(app.world()).find(|(l, _)| l.body == Some(thigh)).unwrap();
    assert!(tf.translation.abs_diff_eq(expected.translation, 1e-6));
    assert!(tf.rotation.abs_diff_eq(expected.rotation, 1e-6));
    assert!(frames.curr.time_s > frames.prev.time_s);
}

#[test]
fn pause_single_step_and_speed_advance_time_by_exactly_what_they_should() {
    let mut app = app(FRAME);
    let dt = leg(&app, |s| s.timing().control_dt_s);
    assert_eq!(dt, 1e-3);

    // Running at 1x: a 10 ms frame is ten control ticks.
    let (n0, t0) = (ticks(&app), time_s(&app));
    app.update();
    assert_eq!(ticks(&app) - n0, 10);
    assert!((time_s(&app) - t0 - 0.010).abs() < 1e-12);

    // Paused: nothing, however many frames pass.
    playback(&mut app).paused = true;
    let (n1, t1) = (ticks(&app), time_s(&app));
    for _ in 0..3 {
        app.update();
    }
    assert_eq!(ticks(&app), n1);
    assert_eq!(time_s(&app), t1);

    // One single step: exactly one control tick, and the paused view shows it.
    playback(&mut app).step();
    app.update();
    assert_eq!(ticks(&app), n1 + 1);
    assert!((time_s(&app) - t1 - dt).abs() < 1e-12);
    assert_eq!(app.world().resource::<Frames>().curr.time_s, time_s(&app));
    app.update();
    assert_eq!(ticks(&app), n1 + 1, "a step runs once");

    // Playing at 2x: a 10 ms frame is twenty ticks.
    {
        let mut p = playback(&mut app);
        p.paused = false;
        p.set_speed(2.0);
    }
    let (n2, t2) = (ticks(&app), time_s(&app));
    app.update();
    assert_eq!(ticks(&app) - n2, 20);
    assert!((time_s(&app) - t2 - 0.020).abs() < 1e-12);

    // And 0.5x: five.
    playback(&mut app).set_speed(0.5);
    let n3 = ticks(&app);
    app.update();
    assert_eq!(ticks(&app) - n3, 5);
}

#[test]
fn a_gain_change_in_the_panel_reaches_the_controller() {
    let mut app = app(FRAME);
    let (index, id) = {
        let panel = app.world().resource::<GainPanel>();
        assert!(!panel.entries.is_empty(), "the assistance law has gains");
        // Only the controlled (actuated) joints, hip and knee, get sliders, labelled with their names.
        assert!(panel.entries.iter().all(|e| e.joint == "hip" || e.joint == "knee"), "{:?}", panel.entries);
        let i = panel.find("peak_torque_nm", "knee").expect("knee peak torque slider");
        (i, panel.entries[i].id)
    };
    assert_eq!(id, ParamId { index: 1, joint: 1 });
    let before = leg(&app, |s| s.controller().parameter(id)).unwrap();
    assert_eq!(before, 11.0);
    app.world_mut().resource_mut::<GainPanel>().edit(index, 20.0);
    app.update();
    let after = leg(&app, |s| s.controller().parameter(id)).unwrap();
    assert_eq!(after, 20.0);
    let panel = app.world().resource::<GainPanel>();
    assert!(!panel.entries[index].edited && panel.entries[index].error.is_none());

    // A parameter the law shares between joints shows the new value on every joint's slider.
    let gain = panel.find("assistance_gain", "hip").unwrap();
    app.world_mut().resource_mut::<GainPanel>().edit(gain, 0.5);
    app.update();
    let panel = app.world().resource::<GainPanel>();
    let knee_gain = panel.find("assistance_gain", "knee").unwrap();
    assert_eq!(panel.entries[knee_gain].value, 0.5);
}

#[test]
fn a_replay_poses_the_world_as_the_live_run_was() {
    // Record one second of the default scenario as `exosim run` would, keeping the thigh's pose at each row (a
    // tick records the instant it starts at).
    let loaded = default_scenario();
    let mut sim = Simulation::new(exo_sim::scenario::build(&loaded, true).unwrap());
    let mut poses = Vec::new();
    for _ in 0..1000 {
        let rows = sim.recorder().rows();
        let before = (sim.time_s(), sim.world().kinematics().pose[sim.world().leg().thigh]);
        sim.tick().unwrap();
        if sim.recorder().rows() > rows {
            poses.push(before);
        }
    }
    assert!(poses.len() > 100, "rows were recorded: {}", poses.len());
    let rec = sim.recorder();
    let mut csv = rec.channels().iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for i in 0..rec.rows() {
        csv.push_str(&rec.row(i).iter().map(f64::to_string).collect::<Vec<_>>().join(","));
        csv.push('\n');
    }
    // The run folder as `exosim run -o OUT` leaves it, OUT holding the checkout's assets (a link) so that the
    // scenario's `../assets` resolves wherever the temporary folder is.
    let out = std::env::temp_dir().join(format!("exo-viz-replay-test-{}", std::process::id()));
    let dir = out.join("walking-assist");
    std::fs::create_dir_all(&dir).unwrap();
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets").canonicalize().unwrap();
    if !out.join("assets").exists() {
        std::os::unix::fs::symlink(&assets, out.join("assets")).unwrap();
    }
    std::fs::write(dir.join("timeseries.csv"), csv).unwrap();
    std::fs::write(dir.join("scenario.toml"), scenarios::DEFAULT_SCENARIO).unwrap();

    let mut app = App::new();
    app.add_plugins((MinimalPlugins, SimPlugin, ScenePlugin));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(FRAME));
    install_replay(app.world_mut(), Replay::open(&dir).unwrap());
    // Scrubbing while paused: the view shows exactly the time asked for.
    app.world_mut().resource_mut::<Playback>().paused = true;
    app.update();
    let thigh = app.world().resource::<Replay>().world().leg().thigh;
    for &(t, pose) in poses.iter().step_by(37) {
        app.world_mut().resource_mut::<Replay>().seek = Some(t);
        app.update();
        let shown = app.world().resource::<Frames>().curr.poses[thigh];
        assert!((shown.angle_rad - pose.angle_rad).abs() < 1e-9, "t = {t}");
        assert!((shown.origin_m - pose.origin_m).norm() < 1e-9, "t = {t}");
    }
    // Playing advances the replay by the fixed clock, like the live run.
    app.world_mut().resource_mut::<Playback>().paused = false;
    let t0 = app.world().resource::<Replay>().time_s();
    app.update();
    assert!((app.world().resource::<Replay>().time_s() - t0 - 0.010).abs() < 1e-9);
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn picking_a_scenario_replaces_the_simulation_and_its_rig_and_reset_starts_over() {
    let mut app = app(FRAME);
    app.update();
    let count_links = |app: &mut App| app.world_mut().query::<&Link>().iter(app.world()).count();
    let before = count_links(&mut app);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/reference-leg-pd-hold.toml");
    app.world_mut().resource_mut::<exo_viz::source::SimRequests>().load = Some(path);
    app.update();
    let live = app.world().resource::<LiveSim>();
    assert_eq!(live.scenario().scenario.name, "reference-leg-pd-hold");
    assert!(app.world().resource::<GainPanel>().entries.is_empty(), "no device, no gains");
    app.update();
    // Pelvis and three leg segments, no device.
    assert_eq!(count_links(&mut app), 4);
    assert!(before > 4);
    assert!(ticks(&app) > 0);

    app.world_mut().resource_mut::<exo_viz::source::SimRequests>().reset = true;
    playback(&mut app).paused = true;
    app.update();
    assert_eq!(ticks(&app), 0, "reset rebuilds the simulation");
    assert_eq!(app.world().resource::<Frames>().curr.time_s, 0.0);

    // A file that is not a scenario leaves the simulation as it was and says why.
    app.world_mut().resource_mut::<exo_viz::source::SimRequests>().load = Some("/nonexistent.toml".into());
    app.update();
    assert_eq!(app.world().resource::<LiveSim>().scenario().scenario.name, "reference-leg-pd-hold");
    assert!(app.world().resource::<exo_viz::source::Notice>().0.as_deref().is_some_and(|n| n.contains("nonexistent")));
}

#[test]
fn the_plotted_channels_are_recorded_and_filled_for_every_joint_of_the_model() {
    let loaded = default_scenario();
    let mut sim = Simulation::new(exo_sim::scenario::build(&loaded, true).unwrap());
    for _ in 0..20 {
        sim.tick().unwrap();
    }
    let names = exo_viz::history::channel_names(sim.world());
    // A replay fills the plots from the recorder's columns: every plotted channel is one of them.
    let recorded: Vec<&str> = sim.recorder().channels().iter().map(|c| c.name.as_str()).collect();
    for n in &names {
        assert!(recorded.contains(&n.as_str()), "{n} is plotted but not recorded");
    }
    // Every wearer coordinate and device joint, by name; a live sample fills them all (both device joints of the
    // default scenario are actuated).
    for n in ["hip_q_rad", "knee_q_ref_rad", "ankle_human_torque_nm", "exo_hip_demand_nm", "exo_knee_current_a"] {
        assert!(names.iter().any(|c| c == n), "no channel {n}");
    }
    let mut row = vec![f64::NAN; names.len()];
    exo_viz::history::live_sample(&sim, &mut row);
    for (n, v) in names.iter().zip(&row) {
        assert!(v.is_finite(), "{n} = {v}");
    }
    // The rig draws a torque at each wearer coordinate and at each device joint.
    let rig = exo_viz::rig::Rig::from_world(sim.world());
    let joint_names: Vec<&str> = rig.joints.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(joint_names, ["hip", "knee", "ankle"]);
    let device: Vec<(&str, usize)> = rig.device_joints.iter().map(|d| (d.name.as_str(), d.spans)).collect();
    assert_eq!(device, [("hip", 0), ("knee", 1)]);
}

/// The imported two-legged wearer runs live: its bodies are drawn where the walk's engine puts them (each at the
/// model's lateral offset), the device's housings at its joints, both feet's ground reactions, and the plotted
/// channels are the recorder's names, filled.
#[test]
fn the_imported_wearer_walks_live_with_both_legs_its_device_and_both_ground_reactions() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/opensim-walk-hip-exo.toml");
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, SimPlugin, ScenePlugin));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(FRAME));
    install_live(app.world_mut(), LiveSim::build(scenarios::load(Some(&path)).unwrap()).expect("it builds"));
    app.update();
    for _ in 0..30 {
        app.update();
    }
    assert!(ticks(&app) >= 250, "the walk ran: {} ticks", ticks(&app));
    // Paused, rendering shows the last tick itself (no interpolation).
    playback(&mut app).paused = true;
    app.update();
    let rig = app.world().resource::<exo_viz::rig::Rig>().clone();
    let joints: Vec<&str> = rig.joints.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(
        joints,
        [
            "hip_flexion_r",
            "knee_angle_r",
            "ankle_angle_r",
            "hip_flexion_l",
            "knee_angle_l",
            "ankle_angle_l",
            "lumbar_extension"
        ]
    );
    let device: Vec<(&str, usize)> = rig.device_joints.iter().map(|d| (d.name.as_str(), d.spans)).collect();
    assert_eq!(device, [("hip_r", 0), ("hip_l", 3)]);
    // Each OpenSim body with a solid is placed by its engine body at its own lateral offset; the right leg right of
    // the pelvis (+z), the left leg left.
    let (poses, lateral) = app.world().resource::<LiveSim>().read(|r| match r {
        Running::Walk(sim) => {
            let sk = sim.body().skeleton();
            let z = |n: &str| sk.bodies[sk.body(n).unwrap()].z_m as f32;
            (sim.body().kinematics().engine.pose.clone(), [z("femur_r"), z("femur_l")])
        }
        Running::Leg(_) => panic!("an imported wearer"),
    });
    assert!(lateral[0] > 0.05 && lateral[1] < -0.05, "{lateral:?}");
    let mut links = app.world_mut().query::<(&Link, &Transform)>();
    let placed: Vec<(Link, Transform)> = links.iter(app.world()).map(|(l, t)| (l.clone(), *t)).collect();
    let bodies = placed.iter().filter(|(l, _)| matches!(l.part, Part::Body(_))).count();
    assert_eq!(bodies, 12, "pelvis, torso, and per leg femur, tibia, talus, calcaneus and toes");
    assert!(placed.iter().filter(|(l, _)| matches!(l.part, Part::Device(_))).count() >= 2 + 5, "hubs and masses");
    for (link, tf) in &placed {
        let pose = poses[link.body.unwrap()];
        let expected = coords::point(&pose.origin_m, link.lateral_m);
        assert!(tf.translation.abs_diff_eq(expected, 1e-6), "{:?}: {} vs {expected}", link.part, tf.translation);
    }
    // The muscles, solved at the history's samples: 18 paths in ground, activations within [0, 1], a whole-body
    // metabolic power the plots read.
    let live = app.world().resource::<LiveSim>();
    let m = live.muscles().expect("the scenario names a metabolics file");
    assert!(m.error.is_none(), "{:?}", m.error);
    assert_eq!(m.paths.len(), 18);
    assert!(m.paths.iter().all(|p| p.len() >= 2));
    assert!(m.instant.activation.iter().all(|a| (0.0..=1.0).contains(a)), "{:?}", m.instant.activation);
    assert!(m.instant.metabolic_power_w > 50.0 && m.instant.metabolic_power_w < 2000.0);
    let history = app.world().resource::<exo_viz::history::History>();
    let k = history.index(exo_viz::history::METABOLIC_CHANNEL).expect("plotted");
    let last = history.points(k).last().expect("sampled");
    assert_eq!(last[1], app.world().resource::<LiveSim>().muscles().unwrap().instant.metabolic_power_w);
    // Both feet's plates: during a stride at least one foot carries the body.
    let frames = app.world().resource::<Frames>();
    assert_eq!(frames.curr.ground.len(), 2);
    let weight: f64 = frames.curr.ground.iter().map(|g| g.force_n.y).sum();
    assert!(weight > 300.0, "{weight} N");
    // The plotted channels are the recorder's (a replay would fill them alike), and a live sample fills them (the
    // imported wearer's device has no interaction torque: NaN).
    let (names, row) = app.world().resource::<LiveSim>().read(|r| match r {
        Running::Walk(sim) => {
            let names = exo_viz::history::walk_channel_names(sim, false);
            let mut row = vec![f64::NAN; names.len()];
            exo_viz::history::walk_sample(sim, &mut row);
            let recorded: Vec<String> = sim.recorder().channels().iter().map(|c| c.name.clone()).collect();
            (names, (row, recorded))
        }
        Running::Leg(_) => unreachable!(),
    });
    let (row, recorded) = row;
    for (n, v) in names.iter().zip(&row) {
        assert!(v.is_finite() || n.ends_with("_interaction_nm"), "{n} = {v}");
        assert!(recorded.contains(n) || n.ends_with("_interaction_nm"), "{n} is plotted but not recorded");
    }
}
