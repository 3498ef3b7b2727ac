//! Writes the [`Model`] as BPMN 2.0 XML with Zeebe's extension elements.

use crate::model::{End, Flow, FlowNode, Kind, Mapping, Model, Timer};
use quick_xml::escape::{escape, partial_escape};
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use std::borrow::Cow;
use std::io;

const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const BPMNDI: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
const DC: &str = "http://www.omg.org/spec/DD/20100524/DC";
const DI: &str = "http://www.omg.org/spec/DD/20100524/DI";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const ZEEBE: &str = "http://camunda.org/schema/zeebe/1.0";
const MODELER: &str = "http://camunda.org/schema/modeler/1.0";

pub fn write(model: &Model) -> String {
    let mut out = Out {
        writer: Writer::new_with_indent(Vec::new(), b' ', 2),
    };
    // Writing into a Vec<u8> cannot fail.
    let _ = out.document(model);
    let mut text = String::from_utf8(out.writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

/// An element being opened: its name and attributes.
struct Tag<'a> {
    start: BytesStart<'a>,
}

impl<'a> Tag<'a> {
    fn new(name: &'a str) -> Tag<'a> {
        Tag {
            start: BytesStart::new(name),
        }
    }

    fn attr(mut self, key: &str, value: &str) -> Self {
        // quick-xml escapes markup; a line break or tab in an attribute would be read
        // back as a space (attribute-value normalisation), so those become references.
        let escaped = escape(value);
        let value = if escaped.contains(['\n', '\r', '\t']) {
            Cow::Owned(
                escaped
                    .replace('\n', "&#10;")
                    .replace('\r', "&#13;")
                    .replace('\t', "&#9;"),
            )
        } else {
            escaped
        };
        self.start.push_attribute(Attribute {
            key: QName(key.as_bytes()),
            value: match value {
                Cow::Borrowed(s) => Cow::Owned(s.as_bytes().to_vec()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            },
        });
        self
    }

    fn attr_opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.attr(key, v),
            None => self,
        }
    }
}

struct Out {
    writer: Writer<Vec<u8>>,
}

impl Out {
    fn open(&mut self, tag: Tag) -> io::Result<()> {
        self.writer.write_event(Event::Start(tag.start))
    }

    fn close(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, tag: Tag) -> io::Result<()> {
        self.writer.write_event(Event::Empty(tag.start))
    }

    /// `<name attrs>text</name>`.
    fn text_element(&mut self, tag: Tag, name: &str, text: &str) -> io::Result<()> {
        self.open(tag)?;
        let escaped = partial_escape(text);
        // A carriage return in text would be read back as a line feed.
        let escaped = if escaped.contains('\r') {
            Cow::Owned(escaped.replace('\r', "&#13;"))
        } else {
            escaped
        };
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(escaped)))?;
        self.close(name)
    }

    fn document(&mut self, model: &Model) -> io::Result<()> {
        self.writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let id = &model.process_id;
        self.open(
            Tag::new("bpmn:definitions")
                .attr("xmlns:bpmn", BPMN)
                .attr("xmlns:bpmndi", BPMNDI)
                .attr("xmlns:dc", DC)
                .attr("xmlns:di", DI)
                .attr("xmlns:xsi", XSI)
                .attr("xmlns:zeebe", ZEEBE)
                .attr("xmlns:modeler", MODELER)
                .attr("id", &format!("{id}-definitions"))
                .attr("targetNamespace", "http://bpmn.io/schema/bpmn")
                .attr("exporter", "Baton")
                .attr("exporterVersion", env!("CARGO_PKG_VERSION"))
                .attr("modeler:executionPlatform", "Camunda Cloud")
                .attr("modeler:executionPlatformVersion", crate::CAMUNDA_VERSION),
        )?;
        self.open(Tag::new("bpmn:collaboration").attr("id", &format!("{id}-collaboration")))?;
        self.empty(
            Tag::new("bpmn:participant")
                .attr("id", &format!("{id}-pool"))
                .attr("name", &model.name)
                .attr("processRef", id),
        )?;
        self.close("bpmn:collaboration")?;
        for (error_id, code, name) in &model.errors {
            self.empty(
                Tag::new("bpmn:error")
                    .attr("id", error_id)
                    .attr("name", name)
                    .attr("errorCode", code),
            )?;
        }
        self.open(
            Tag::new("bpmn:process")
                .attr("id", id)
                .attr("name", &model.name)
                .attr("isExecutable", "true"),
        )?;
        if let Some(doc) = &model.documentation {
            self.text_element(Tag::new("bpmn:documentation"), "bpmn:documentation", doc)?;
        }
        if !model.lanes.is_empty() {
            self.open(Tag::new("bpmn:laneSet").attr("id", &format!("{id}-lanes")))?;
            for (index, lane) in model.lanes.iter().enumerate() {
                let members: Vec<&FlowNode> =
                    model.nodes.iter().filter(|n| n.lane == index).collect();
                let tag = Tag::new("bpmn:lane")
                    .attr("id", &lane.id)
                    .attr("name", &lane.name);
                if members.is_empty() {
                    self.empty(tag)?;
                    continue;
                }
                self.open(tag)?;
                for node in members {
                    self.text_element(Tag::new("bpmn:flowNodeRef"), "bpmn:flowNodeRef", &node.id)?;
                }
                self.close("bpmn:lane")?;
            }
            self.close("bpmn:laneSet")?;
        }
        let mut incoming: Vec<Vec<&Flow>> = vec![Vec::new(); model.nodes.len()];
        let mut outgoing: Vec<Vec<&Flow>> = vec![Vec::new(); model.nodes.len()];
        for flow in &model.flows {
            incoming[flow.target].push(flow);
            outgoing[flow.source].push(flow);
        }
        for (index, node) in model.nodes.iter().enumerate() {
            self.node(model, node, &incoming[index], &outgoing[index])?;
        }
        for flow in &model.flows {
            self.flow(model, flow)?;
        }
        if let Some(seconds) = model.deadline {
            self.deadline(id, seconds)?;
        }
        self.close("bpmn:process")?;
        self.close("bpmn:definitions")
    }

    fn node(
        &mut self,
        model: &Model,
        node: &FlowNode,
        incoming: &[&Flow],
        outgoing: &[&Flow],
    ) -> io::Result<()> {
        let element = match &node.kind {
            Kind::Start => "bpmn:startEvent",
            Kind::UserTask { .. } => "bpmn:userTask",
            Kind::ServiceTask { .. } => "bpmn:serviceTask",
            Kind::ScriptTask { .. } => "bpmn:scriptTask",
            Kind::CallActivity { .. } => "bpmn:callActivity",
            Kind::ExclusiveGateway { .. } => "bpmn:exclusiveGateway",
            Kind::ParallelGateway => "bpmn:parallelGateway",
            Kind::TimerCatch(_) => "bpmn:intermediateCatchEvent",
            Kind::TimerBoundary { .. } | Kind::ErrorBoundary { .. } => "bpmn:boundaryEvent",
            Kind::End(_) => "bpmn:endEvent",
        };
        let mut tag = Tag::new(element)
            .attr("id", &node.id)
            .attr_opt("name", node.name.as_deref());
        match &node.kind {
            Kind::ExclusiveGateway {
                default: Some(flow),
            } => {
                tag = tag.attr("default", &model.flows[*flow].id);
            }
            Kind::TimerBoundary { host, .. } | Kind::ErrorBoundary { host, .. } => {
                tag = tag
                    .attr("cancelActivity", "true")
                    .attr("attachedToRef", &model.nodes[*host].id);
            }
            _ => {}
        }
        self.open(tag)?;
        if let Some(doc) = &node.documentation {
            self.text_element(Tag::new("bpmn:documentation"), "bpmn:documentation", doc)?;
        }
        self.extensions(&node.kind)?;
        for flow in incoming {
            self.text_element(Tag::new("bpmn:incoming"), "bpmn:incoming", &flow.id)?;
        }
        for flow in outgoing {
            self.text_element(Tag::new("bpmn:outgoing"), "bpmn:outgoing", &flow.id)?;
        }
        let definition = format!("{}-definition", node.id);
        match &node.kind {
            Kind::TimerCatch(timer) => self.timer(&definition, timer)?,
            Kind::TimerBoundary { duration, .. } => {
                self.timer(&definition, &Timer::Duration(*duration))?
            }
            Kind::ErrorBoundary { error, .. } => self.empty(
                Tag::new("bpmn:errorEventDefinition")
                    .attr("id", &definition)
                    .attr_opt("errorRef", error.as_deref()),
            )?,
            Kind::End(End::Error(error)) => self.empty(
                Tag::new("bpmn:errorEventDefinition")
                    .attr("id", &definition)
                    .attr("errorRef", error),
            )?,
            Kind::End(End::Terminate) => {
                self.empty(Tag::new("bpmn:terminateEventDefinition").attr("id", &definition))?
            }
            _ => {}
        }
        self.close(element)
    }

    fn extensions(&mut self, kind: &Kind) -> io::Result<()> {
        let (inputs, outputs): (&[Mapping], &[Mapping]) = match kind {
            Kind::UserTask {
                inputs, outputs, ..
            }
            | Kind::ServiceTask {
                inputs, outputs, ..
            }
            | Kind::CallActivity {
                inputs, outputs, ..
            } => (inputs, outputs),
            Kind::ScriptTask { .. } => (&[], &[]),
            _ => return Ok(()),
        };
        self.open(Tag::new("bpmn:extensionElements"))?;
        match kind {
            Kind::UserTask {
                candidate_groups, ..
            } => self.empty(
                Tag::new("zeebe:assignmentDefinition").attr("candidateGroups", candidate_groups),
            )?,
            Kind::ServiceTask {
                job_type,
                retries,
                timeout,
                ..
            } => {
                self.empty(
                    Tag::new("zeebe:taskDefinition")
                        .attr("type", job_type)
                        .attr("retries", &retries.to_string()),
                )?;
                if let Some(seconds) = timeout {
                    self.open(Tag::new("zeebe:taskHeaders"))?;
                    self.empty(
                        Tag::new("zeebe:header")
                            .attr("key", "timeout")
                            .attr("value", &crate::feel::duration(*seconds)),
                    )?;
                    self.close("zeebe:taskHeaders")?;
                }
            }
            Kind::ScriptTask { expression, result } => self.empty(
                Tag::new("zeebe:script")
                    .attr("expression", &format!("={expression}"))
                    .attr("resultVariable", result),
            )?,
            Kind::CallActivity { process_id, .. } => self.empty(
                Tag::new("zeebe:calledElement")
                    .attr("processId", process_id)
                    // Only the declared outputs come back, as in Baton.
                    .attr("propagateAllChildVariables", "false"),
            )?,
            _ => {}
        }
        if !inputs.is_empty() || !outputs.is_empty() {
            self.open(Tag::new("zeebe:ioMapping"))?;
            for (source, target) in inputs {
                self.empty(
                    Tag::new("zeebe:input")
                        .attr("source", &format!("={source}"))
                        .attr("target", target),
                )?;
            }
            for (source, target) in outputs {
                self.empty(
                    Tag::new("zeebe:output")
                        .attr("source", &format!("={source}"))
                        .attr("target", target),
                )?;
            }
            self.close("zeebe:ioMapping")?;
        }
        self.close("bpmn:extensionElements")
    }

    fn timer(&mut self, id: &str, timer: &Timer) -> io::Result<()> {
        self.open(Tag::new("bpmn:timerEventDefinition").attr("id", id))?;
        let formal = |name| Tag::new(name).attr("xsi:type", "bpmn:tFormalExpression");
        match timer {
            Timer::Date(expression) => self.text_element(
                formal("bpmn:timeDate"),
                "bpmn:timeDate",
                &format!("={expression}"),
            )?,
            Timer::Duration(seconds) => self.text_element(
                formal("bpmn:timeDuration"),
                "bpmn:timeDuration",
                &crate::feel::duration(*seconds),
            )?,
        }
        self.close("bpmn:timerEventDefinition")
    }

    fn flow(&mut self, model: &Model, flow: &Flow) -> io::Result<()> {
        let tag = Tag::new("bpmn:sequenceFlow")
            .attr("id", &flow.id)
            .attr_opt("name", flow.name.as_deref())
            .attr("sourceRef", &model.nodes[flow.source].id)
            .attr("targetRef", &model.nodes[flow.target].id);
        match &flow.condition {
            None => self.empty(tag),
            Some(condition) => {
                self.open(tag)?;
                self.text_element(
                    Tag::new("bpmn:conditionExpression").attr("xsi:type", "bpmn:tFormalExpression"),
                    "bpmn:conditionExpression",
                    &format!("={condition}"),
                )?;
                self.close("bpmn:sequenceFlow")
            }
        }
    }

    /// The workflow's deadline: a non-interrupting timer event sub-process that records,
    /// in the instance's history, that the deadline passed; the work goes on.
    fn deadline(&mut self, id: &str, seconds: u64) -> io::Result<()> {
        let sub = format!("{id}-deadline");
        let start = format!("{sub}-start");
        let end = format!("{sub}-end");
        let flow = format!("{sub}-flow");
        self.open(
            Tag::new("bpmn:subProcess")
                .attr("id", &sub)
                .attr("name", "Deadline passed")
                .attr("triggeredByEvent", "true"),
        )?;
        self.open(
            Tag::new("bpmn:startEvent")
                .attr("id", &start)
                .attr(
                    "name",
                    &format!("after {}", baton_ir::format_duration(seconds)),
                )
                .attr("isInterrupting", "false"),
        )?;
        self.text_element(Tag::new("bpmn:outgoing"), "bpmn:outgoing", &flow)?;
        self.timer(&format!("{start}-definition"), &Timer::Duration(seconds))?;
        self.close("bpmn:startEvent")?;
        self.open(
            Tag::new("bpmn:endEvent")
                .attr("id", &end)
                .attr("name", "Overdue"),
        )?;
        self.text_element(Tag::new("bpmn:incoming"), "bpmn:incoming", &flow)?;
        self.close("bpmn:endEvent")?;
        self.empty(
            Tag::new("bpmn:sequenceFlow")
                .attr("id", &flow)
                .attr("sourceRef", &start)
                .attr("targetRef", &end),
        )?;
        self.close("bpmn:subProcess")
    }
}
