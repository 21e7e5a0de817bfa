//! External loads files (`ExternalLoads`): which measured forces act on which bodies, and where the data is.
//!
//! Properties and defaults from opensim-core `OpenSim/Simulation/Model/ExternalForce.{h,cpp}` and
//! `ExternalLoads.cpp`: `force_expressed_in_body` and `point_expressed_in_body` default to `ground`; the three
//! identifiers and `data_source_name` are optional; an external force must name a force or a torque identifier,
//! and one naming a point but no force is refused (`ExternalForce::extendFinalizeFromProperties` and
//! `extendConnectToModel`). `datafile` overrides the individual forces' data sources.

use std::path::{Path, PathBuf};

use roxmltree::Node;

use crate::actuators::{MIN_SET_VERSION, single_child};
use crate::error::OsimError;
use crate::model::Model;
use crate::muscle::applies_force;
use crate::xml::{Cx, Obj, document_version};

/// An external loads file.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalLoads {
    /// The `name` attribute of `<ExternalLoads>`.
    pub name: String,
    /// `datafile` as written (a `.mot`/`.sto` of forces, points and torques), if given.
    pub datafile: Option<String>,
    /// `datafile` resolved against the folder of the XML file (as given when it is absolute), if given and read
    /// through [`read_external_loads`].
    pub datafile_path: Option<PathBuf>,
    /// The forces, in file order.
    pub forces: Vec<ExternalForce>,
    /// `lowpass_cutoff_frequency_for_load_kinematics`, Hz, if present. OpenSim 4 reads but no longer uses it (it
    /// went with `external_loads_model_kinematics_file`); kept for tools that filter kinematics themselves.
    pub lowpass_cutoff_frequency_for_load_kinematics_hz: Option<f64>,
    /// `external_loads_model_kinematics_file` if present (unused by OpenSim 4, which warns).
    pub external_loads_model_kinematics_file: Option<String>,
    /// The document's `Version`.
    pub document_version: u32,
    /// Line of `<ExternalLoads>`.
    pub line: u32,
}

/// One `ExternalForce`: columns of the data file applied to a body.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalForce {
    /// Name.
    pub name: String,
    /// Whether it is applied (`appliesForce`, or not `isDisabled`; default true).
    pub applies_force: bool,
    /// The body the force acts on.
    pub applied_to_body: String,
    /// The frame the force and torque columns are expressed in (default `ground`).
    pub force_expressed_in_body: String,
    /// The frame the point columns are expressed in (default `ground`).
    pub point_expressed_in_body: String,
    /// Column-name prefix of the force (`ground_force_v` → `ground_force_vx`, `…vy`, `…vz`), if any.
    pub force_identifier: Option<String>,
    /// Column-name prefix of the point of application, if any.
    pub point_identifier: Option<String>,
    /// Column-name prefix of the torque, if any.
    pub torque_identifier: Option<String>,
    /// `data_source_name`, if given (informative: the loads' `datafile` supplies the data).
    pub data_source_name: Option<String>,
    /// Line of `<ExternalForce>`.
    pub line: u32,
}

impl ExternalLoads {
    /// Checks that every body the forces name exists in `model` (`ground` allowed for the expressed-in frames);
    /// `file` names the loads file in the error. OpenSim fails on an unknown `applied_to_body` and, for the
    /// expressed-in frames, falls back to ground with a warning; both are errors here.
    pub fn check_against(&self, model: &Model, file: &str) -> Result<(), OsimError> {
        for force in &self.forces {
            let frames = [
                ("applied_to_body", &force.applied_to_body, false),
                ("force_expressed_in_body", &force.force_expressed_in_body, true),
                ("point_expressed_in_body", &force.point_expressed_in_body, true),
            ];
            for (what, body, ground_ok) in frames {
                let known = model.body(body).is_some() || (ground_ok && body.as_str() == "ground");
                if !known {
                    return Err(OsimError {
                        file: file.to_string(),
                        line: force.line,
                        element: format!("ExternalForce {}", force.name),
                        problem: format!("{what} {body} is not a body of the model"),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Reads an external loads file; `datafile_path` is resolved against the file's folder.
pub fn read_external_loads(path: impl AsRef<Path>) -> Result<ExternalLoads, OsimError> {
    let path = path.as_ref();
    let label = path.display().to_string();
    let text = crate::read_text(path, &label)?;
    let mut loads = parse_external_loads(&text, &label)?;
    let folder = path.parent().unwrap_or(Path::new(""));
    loads.datafile_path = loads.datafile.as_ref().map(|d| folder.join(d));
    Ok(loads)
}

/// Reads the text of an external loads file; `file_label` names it in errors. `datafile_path` is left `None`
/// (there is no folder to resolve against).
pub fn parse_external_loads(text: &str, file_label: &str) -> Result<ExternalLoads, OsimError> {
    let cx = Cx::new(file_label, text);
    let doc = cx.parse(text)?;
    let root = doc.root_element();
    let version = document_version(&cx, root)?;
    if version < MIN_SET_VERSION {
        return Err(cx.err_at(
            root,
            "OpenSimDocument",
            format!("Version {version} is older than {MIN_SET_VERSION}: not supported"),
        ));
    }
    let node = single_child(&cx, root, "ExternalLoads")?;
    let mut obj = Obj::new(&cx, node);
    obj.no_components()?;
    let forces = match obj.take("objects")? {
        Some(objects) => {
            // ExternalLoads is itself the set: its <objects> hold the forces.
            let mut forces = Vec::new();
            for f in crate::xml::elements(objects) {
                forces.push(parse_force(&cx, f)?);
            }
            forces
        }
        None => Vec::new(),
    };
    obj.ignore(&["groups"]);
    let datafile = obj.string("datafile")?.filter(|d| !d.is_empty());
    let lowpass = obj.f64("lowpass_cutoff_frequency_for_load_kinematics")?;
    let kinematics = obj.string("external_loads_model_kinematics_file")?.filter(|d| !d.is_empty());
    let line = obj.line();
    obj.finish()?;
    Ok(ExternalLoads {
        name: node.attribute("name").unwrap_or_default().to_string(),
        datafile,
        datafile_path: None,
        forces,
        lowpass_cutoff_frequency_for_load_kinematics_hz: lowpass,
        external_loads_model_kinematics_file: kinematics,
        document_version: version,
        line,
    })
}

fn parse_force(cx: &Cx, node: Node<'_, '_>) -> Result<ExternalForce, OsimError> {
    let mut obj = Obj::new(cx, node);
    if obj.tag() != "ExternalForce" {
        return Err(obj.err(format!("unsupported load type {} (only ExternalForce)", obj.tag())));
    }
    let name = obj.name()?;
    obj.no_components()?;
    let mut unused = Vec::new();
    let applies_force = applies_force(&mut obj, &mut unused)?;
    let applied_to_body = match obj.string("applied_to_body")? {
        Some(b) if !b.is_empty() => b,
        _ => return Err(obj.err("missing property applied_to_body")),
    };
    let frame = |obj: &mut Obj<'_, '_, '_>, tag: &str| -> Result<String, OsimError> {
        Ok(obj.string(tag)?.filter(|s| !s.is_empty()).unwrap_or_else(|| "ground".into()))
    };
    let force_expressed_in_body = frame(&mut obj, "force_expressed_in_body")?;
    let point_expressed_in_body = frame(&mut obj, "point_expressed_in_body")?;
    let optional = |obj: &mut Obj<'_, '_, '_>, tag: &str| -> Result<Option<String>, OsimError> {
        Ok(obj.string(tag)?.filter(|s| !s.is_empty()))
    };
    let force_identifier = optional(&mut obj, "force_identifier")?;
    let point_identifier = optional(&mut obj, "point_identifier")?;
    let torque_identifier = optional(&mut obj, "torque_identifier")?;
    let data_source_name = optional(&mut obj, "data_source_name")?;
    if force_identifier.is_none() && torque_identifier.is_none() {
        return Err(obj.err("names neither a force_identifier nor a torque_identifier"));
    }
    if force_identifier.is_none() && point_identifier.is_some() {
        return Err(obj.err("names a point_identifier but no force_identifier"));
    }
    let line = obj.line();
    obj.finish()?;
    Ok(ExternalForce {
        name,
        applies_force,
        applied_to_body,
        force_expressed_in_body,
        point_expressed_in_body,
        force_identifier,
        point_identifier,
        torque_identifier,
        data_source_name,
        line,
    })
}
