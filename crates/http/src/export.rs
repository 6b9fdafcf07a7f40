//! Lists as files: `?format=csv|xlsx|jsonl` on a list answers with every record the caller may
//! read of it (its filters and sort; `limit` and `cursor` do not apply), streamed as it is read,
//! so memory stays flat however long the list.
//!
//! - **CSV**: UTF-8 with a byte-order mark (so spreadsheet programs read Persian right), RFC 4180
//!   quoting, a header row. A text cell that starts like a formula (`=`, `+`, `-`, `@`, a tab or
//!   a carriage return) gets a leading `'`, so a spreadsheet shows it instead of running it.
//! - **XLSX**: one sheet with a header row; numbers as numbers, `true`/`false` as booleans,
//!   everything else as text (text in XLSX is never a formula). Written here, a small streaming
//!   ZIP of the few XML parts a workbook needs, deflated; up to 4 GiB (no ZIP64).
//! - **JSON Lines**: each record as the API returns it, one per line.
//!
//! Columns are the record's fields in name order (`id` first), then `custom.<key>` for each
//! custom field the caller may read. A money value is written as `1250.50 USD`, a list of plain
//! values as `a; b`, anything else nested as compact JSON.

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use crm_app::records::{Kind, Shown};
use crm_app::{AppError, AppResult};
use crm_domain::access::Entity;
use crm_store::cursor::PageSpec;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde_json::Value;
use std::future::Future;
use std::io::Write;

/// A file format a list can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Jsonl,
}

impl Format {
    /// `format` of a list's query, when asked for.
    pub fn take(q: &mut QueryParams) -> ApiResult<Option<Format>> {
        Ok(match q.take("format").as_deref() {
            None | Some("json") => None,
            Some("csv") => Some(Format::Csv),
            Some("xlsx") => Some(Format::Xlsx),
            Some("jsonl") => Some(Format::Jsonl),
            Some(_) => return Err(bad("format", "invalid_enum_value", "must be one of: json, csv, xlsx, jsonl")),
        })
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Jsonl => "application/x-ndjson",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Jsonl => "jsonl",
        }
    }
}

/// How long an export waits for its reader to take a batch before it stops.
const STALLED: std::time::Duration = std::time::Duration::from_secs(60);

/// Takes each batch of records (as the API returns them) and whether it is the last; returns
/// `false` when the reader went away.
pub type Sink = Box<dyn FnMut(Vec<Value>, bool) -> AppResult<bool> + Send>;

/// The columns of an export of records of type `W`: its fields in name order (`id` first,
/// `custom` left out), then the custom fields' keys given.
pub fn columns<W: utoipa::PartialSchema>(custom: &[String]) -> Vec<String> {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    let mut out = vec!["id".to_owned()];
    if let RefOr::T(Schema::Object(o)) = W::schema() {
        out.extend(o.properties.keys().filter(|k| *k != "id" && *k != "custom").cloned());
    }
    out.extend(custom.iter().map(|k| format!("custom.{k}")));
    out
}

/// Answers with the export: `run` reads the records and hands them to the sink it is given. A
/// problem before the first batch (a bad filter, a field the caller may not read) is answered
/// as a problem; one later cuts the download short (the client sees an incomplete transfer).
pub async fn respond<F, Fut>(format: Format, name: &str, columns: Vec<String>, run: F) -> ApiResult<HttpResponse>
where
    F: FnOnce(Sink) -> Fut + 'static,
    Fut: Future<Output = AppResult<()>> + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(4);
    let mut file = File::new(format, name, columns);
    let failed = tx.clone();
    let sink: Sink = Box::new(move |records, last| {
        let mut bytes = file.rows(&records)?;
        if last {
            bytes.extend(file.finish()?);
        }
        // A reader that takes no batch for a minute has gone: the export stops, and the
        // connection it holds goes back to the pool.
        let sent = tokio::runtime::Handle::current().block_on(tokio::time::timeout(STALLED, tx.send(Ok(Bytes::from(bytes)))));
        Ok(matches!(sent, Ok(Ok(()))))
    });
    actix_web::rt::spawn(async move {
        if let Err(e) = run(sink).await {
            let _ = failed.send(Err(e.into())).await;
        }
    });
    let first = rx.recv().await.ok_or_else(|| ApiError::from(AppError::from(crm_store::StoreError::Aborted("export".into()))))??;
    // A failure past the first batch can only cut the transfer short.
    let cut = |e: ApiError| std::io::Error::other(format!("export cut short: {e:?}"));
    let rest = futures_util::stream::unfold(rx, move |mut rx| async move { rx.recv().await.map(|item| (item.map_err(cut), rx)) });
    let body = futures_util::StreamExt::chain(futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }), rest);
    let filename = format!("{name}.{}", format.extension());
    let mut answer = HttpResponse::Ok();
    if format == Format::Xlsx {
        // Deflated already: compressing it again only costs time.
        answer.insert_header(actix_web::http::header::ContentEncoding::Identity);
    }
    Ok(answer
        .content_type(format.content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .streaming(body))
}

/// Answers a list of a kind of record in `format`: every record of it the caller may read,
/// each as `to_value` makes it (its wire type `W` names the columns).
pub async fn records<K, W>(
    state: &AppState,
    who: &Principal,
    format: Format,
    filter: K::Filter,
    page: PageSpec,
    to_value: impl Fn(Shown<K::Read>) -> ApiResult<Value> + Send + 'static,
) -> ApiResult<HttpResponse>
where
    K: Kind,
    K::Filter: Clone,
    W: utoipa::PartialSchema,
{
    let caller = who.caller();
    let custom = crm_app::custom::readable_keys(state.app_db(), &caller, K::ENTITY).await?;
    let db = state.app_db().clone();
    respond(format, collection(K::ENTITY), columns::<W>(&custom), move |mut sink| async move {
        crm_app::records::export::<K>(&db, &caller, filter, page, move |batch, last| {
            let values = batch.into_iter().map(&to_value).collect::<ApiResult<Vec<_>>>().map_err(|e| corrupt(format!("{e:?}")))?;
            sink(values, last)
        })
        .await
    })
    .await
}

/// A wire record as JSON, for an export.
pub fn value(wire: impl serde::Serialize) -> ApiResult<Value> {
    serde_json::to_value(wire).map_err(|_| ApiError::internal())
}

/// The name of a kind's list, the export's file name.
pub fn collection(entity: Entity) -> &'static str {
    match entity {
        Entity::Contact => "contacts",
        Entity::Company => "companies",
        Entity::Lead => "leads",
        Entity::Deal => "deals",
        Entity::Activity => "activities",
        Entity::Task => "tasks",
        Entity::Case => "cases",
        Entity::Order => "orders",
        Entity::Product => "products",
    }
}

/// A value as one cell.
#[derive(Debug, PartialEq)]
enum Cell {
    Empty,
    Number(String),
    Bool(bool),
    Text(String),
}

fn cell(v: Option<&Value>) -> Cell {
    match v {
        None | Some(Value::Null) => Cell::Empty,
        Some(Value::Bool(b)) => Cell::Bool(*b),
        Some(Value::Number(n)) => Cell::Number(n.to_string()),
        Some(Value::String(s)) if is_plain_number(s) => Cell::Number(s.clone()),
        Some(Value::String(s)) => Cell::Text(s.clone()),
        Some(Value::Object(o)) if o.len() == 2 && o.get("amount").is_some_and(Value::is_string) => Cell::Text(format!(
            "{} {}",
            o["amount"].as_str().unwrap_or_default(),
            o.get("currency").and_then(Value::as_str).unwrap_or_default()
        )),
        Some(Value::Array(items)) if items.iter().all(|i| !i.is_object() && !i.is_array()) => Cell::Text(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Some(other) => Cell::Text(other.to_string()),
    }
}

/// A decimal a spreadsheet may take as a number without changing it: no leading zero (a code
/// such as `0912` stays text), at most 15 significant digits (what a spreadsheet keeps).
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let whole_ok = !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) && (whole == "0" || !whole.starts_with('0'));
    let frac_ok = !digits.contains('.') || (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()));
    let significant = format!("{whole}{frac}").trim_start_matches('0').len();
    whole_ok && frac_ok && significant <= 15
}

/// The value of `column` in a record: `custom.<key>` reads the record's `custom` object.
fn value_of<'a>(record: &'a Value, column: &str) -> Option<&'a Value> {
    match column.strip_prefix("custom.") {
        Some(key) => record.get("custom")?.get(key),
        None => record.get(column),
    }
}

/// An export being written.
struct File {
    format: Format,
    columns: Vec<String>,
    started: bool,
    zip: Option<Zip>,
    name: String,
}

impl File {
    fn new(format: Format, name: &str, columns: Vec<String>) -> Self {
        Self {
            format,
            columns,
            started: false,
            zip: None,
            name: name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(31).collect(),
        }
    }

    fn rows(&mut self, records: &[Value]) -> AppResult<Vec<u8>> {
        let mut out = Vec::with_capacity(records.len() * 256 + 512);
        if !self.started {
            self.started = true;
            self.start(&mut out)?;
        }
        for r in records {
            match self.format {
                Format::Jsonl => {
                    serde_json::to_writer(&mut out, r).map_err(corrupt)?;
                    out.push(b'\n');
                }
                Format::Csv => {
                    let cells: Vec<Cell> = self.columns.iter().map(|c| cell(value_of(r, c))).collect();
                    csv_row(&mut out, &cells);
                }
                Format::Xlsx => {
                    let mut xml = String::with_capacity(self.columns.len() * 32);
                    xml.push_str("<row>");
                    for c in &self.columns {
                        xlsx_cell(&mut xml, &cell(value_of(r, c)));
                    }
                    xml.push_str("</row>");
                    self.zip_mut()?.write(xml.as_bytes(), &mut out)?;
                }
            }
        }
        Ok(out)
    }

    fn start(&mut self, out: &mut Vec<u8>) -> AppResult<()> {
        let header: Vec<Cell> = self.columns.iter().map(|c| Cell::Text(c.clone())).collect();
        match self.format {
            Format::Jsonl => {}
            Format::Csv => {
                out.extend_from_slice("\u{feff}".as_bytes());
                csv_row(out, &header);
            }
            Format::Xlsx => {
                let mut zip = Zip::default();
                for (path, body) in workbook_parts(&self.name) {
                    zip.whole(path, body.as_bytes(), out)?;
                }
                zip.open("xl/worksheets/sheet1.xml", out);
                let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
                xml.push_str(r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>"#);
                for c in &header {
                    xlsx_cell(&mut xml, c);
                }
                xml.push_str("</row>");
                zip.write(xml.as_bytes(), out)?;
                self.zip = Some(zip);
            }
        }
        Ok(())
    }

    fn zip_mut(&mut self) -> AppResult<&mut Zip> {
        self.zip.as_mut().ok_or_else(|| corrupt("the workbook was not started"))
    }

    fn finish(&mut self) -> AppResult<Vec<u8>> {
        let mut out = Vec::new();
        if self.format == Format::Xlsx {
            let zip = self.zip_mut()?;
            zip.write(b"</sheetData></worksheet>", &mut out)?;
            zip.close(&mut out)?;
            zip.directory(&mut out)?;
        }
        Ok(out)
    }
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    crm_store::StoreError::Corrupt(format!("export: {e}")).into()
}

fn csv_row(out: &mut Vec<u8>, cells: &[Cell]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let text: std::borrow::Cow<'_, str> = match c {
            Cell::Empty => continue,
            Cell::Number(n) => n.into(),
            Cell::Bool(b) => if *b { "true" } else { "false" }.into(),
            // A spreadsheet would run a cell that starts like a formula.
            Cell::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}").into(),
            Cell::Text(t) => t.into(),
        };
        // `;` and tab too: spreadsheets in many locales split on them, and a formula could
        // start a cell there.
        if text.contains([',', '"', '\n', '\r', ';', '\t']) {
            out.push(b'"');
            out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(text.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn xlsx_cell(xml: &mut String, c: &Cell) {
    match c {
        Cell::Empty => xml.push_str("<c/>"),
        Cell::Number(n) => {
            xml.push_str("<c><v>");
            xml.push_str(n);
            xml.push_str("</v></c>");
        }
        Cell::Bool(b) => xml.push_str(if *b { r#"<c t="b"><v>1</v></c>"# } else { r#"<c t="b"><v>0</v></c>"# }),
        Cell::Text(t) => {
            xml.push_str(r#"<c t="inlineStr"><is><t xml:space="preserve">"#);
            // A spreadsheet cell holds at most 32,767 characters.
            let cut = t.char_indices().nth(MAX_CELL_CHARS).map_or(t.as_str(), |(at, _)| &t[..at]);
            escape_into(xml, cut);
            xml.push_str("</t></is></c>");
        }
    }
}

/// The most characters a cell of a spreadsheet holds.
const MAX_CELL_CHARS: usize = 32_767;

/// XML-escapes `text`, leaving out the control characters XML 1.0 cannot carry.
fn escape_into(xml: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\t' | '\n' | '\r' => xml.push(ch),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => xml.push(c),
        }
    }
}

/// The parts of a workbook besides its sheet.
fn workbook_parts(sheet: &str) -> [(&'static str, String); 5] {
    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const PKG_RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const SHEET_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let sheet = if sheet.is_empty() { "export" } else { sheet };
    [
        (
            "[Content_Types].xml",
            format!(
                r#"{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="{SHEET_TYPE}.styles+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"{HEAD}<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"{HEAD}<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{DOC_RELS}/styles" Target="styles.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/styles.xml",
            format!(
                r#"{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
            ),
        ),
    ]
}

/// A ZIP archive written front to back: each entry's local header, its deflated data, then a
/// data descriptor with its CRC and sizes (known only at its end), and the central directory
/// last.
#[derive(Default)]
struct Zip {
    /// Bytes written so far (the next entry's offset).
    offset: u64,
    entries: Vec<Entry>,
    open: Option<Open>,
}

struct Entry {
    name: &'static str,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

struct Open {
    name: &'static str,
    offset: u64,
    crc: crc32fast::Hasher,
    size: u64,
    compressed: u64,
    deflate: DeflateEncoder<Vec<u8>>,
}

/// General purpose flags: sizes in a data descriptor (bit 3), UTF-8 names (bit 11).
const FLAGS: u16 = 0x0808;
/// 1980-01-01 00:00 in MS-DOS form (the time of every entry: a generated file has no other).
const DOS_DATE: u16 = 0x21;

fn too_big() -> AppError {
    corrupt("an export over 4 GiB (the XLSX writer has no ZIP64); filter the list or use CSV")
}

impl Zip {
    fn emit(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(bytes);
        self.offset += bytes.len() as u64;
    }

    fn open(&mut self, name: &'static str, out: &mut Vec<u8>) {
        let offset = self.offset;
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&FLAGS.to_le_bytes());
        h.extend_from_slice(&8u16.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(&DOS_DATE.to_le_bytes());
        h.extend_from_slice(&[0; 12]);
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        self.emit(out, &h);
        self.open = Some(Open {
            name,
            offset,
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
            deflate: DeflateEncoder::new(Vec::new(), Compression::fast()),
        });
    }

    fn write(&mut self, data: &[u8], out: &mut Vec<u8>) -> AppResult<()> {
        let Some(open) = self.open.as_mut() else { return Err(corrupt("no open entry")) };
        open.crc.update(data);
        open.size += data.len() as u64;
        open.deflate.write_all(data).map_err(corrupt)?;
        let done = std::mem::take(open.deflate.get_mut());
        open.compressed += done.len() as u64;
        self.emit(out, &done);
        Ok(())
    }

    fn close(&mut self, out: &mut Vec<u8>) -> AppResult<()> {
        let Some(open) = self.open.take() else { return Err(corrupt("no open entry")) };
        let rest = open.deflate.finish().map_err(corrupt)?;
        let compressed = open.compressed + rest.len() as u64;
        self.emit(out, &rest);
        let crc = open.crc.finalize();
        if compressed > u32::MAX as u64 || open.size > u32::MAX as u64 || self.offset > u32::MAX as u64 {
            return Err(too_big());
        }
        let mut d = Vec::with_capacity(16);
        d.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        d.extend_from_slice(&crc.to_le_bytes());
        d.extend_from_slice(&(compressed as u32).to_le_bytes());
        d.extend_from_slice(&(open.size as u32).to_le_bytes());
        self.emit(out, &d);
        self.entries.push(Entry { name: open.name, crc, compressed, size: open.size, offset: open.offset });
        Ok(())
    }

    fn whole(&mut self, name: &'static str, data: &[u8], out: &mut Vec<u8>) -> AppResult<()> {
        self.open(name, out);
        self.write(data, out)?;
        self.close(out)
    }

    fn directory(&mut self, out: &mut Vec<u8>) -> AppResult<()> {
        let start = self.offset;
        let mut d = Vec::new();
        for e in &self.entries {
            d.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            d.extend_from_slice(&20u16.to_le_bytes());
            d.extend_from_slice(&20u16.to_le_bytes());
            d.extend_from_slice(&FLAGS.to_le_bytes());
            d.extend_from_slice(&8u16.to_le_bytes());
            d.extend_from_slice(&0u16.to_le_bytes());
            d.extend_from_slice(&DOS_DATE.to_le_bytes());
            d.extend_from_slice(&e.crc.to_le_bytes());
            d.extend_from_slice(&(e.compressed as u32).to_le_bytes());
            d.extend_from_slice(&(e.size as u32).to_le_bytes());
            d.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            d.extend_from_slice(&[0; 12]);
            d.extend_from_slice(&(e.offset as u32).to_le_bytes());
            d.extend_from_slice(e.name.as_bytes());
        }
        let size = d.len() as u64;
        if start + size > u32::MAX as u64 {
            return Err(too_big());
        }
        let n = self.entries.len() as u16;
        d.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        d.extend_from_slice(&[0; 4]);
        d.extend_from_slice(&n.to_le_bytes());
        d.extend_from_slice(&n.to_le_bytes());
        d.extend_from_slice(&(size as u32).to_le_bytes());
        d.extend_from_slice(&(start as u32).to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        self.emit(out, &d);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_become_cells_a_spreadsheet_keeps_as_they_are() {
        assert_eq!(cell(Some(&json!("12.50"))), Cell::Number("12.50".into()));
        assert_eq!(cell(Some(&json!("0912"))), Cell::Text("0912".into()), "a code keeps its leading zero");
        assert_eq!(cell(Some(&json!("+989121234567"))), Cell::Text("+989121234567".into()));
        assert_eq!(cell(Some(&json!("1234567890123456"))), Cell::Text("1234567890123456".into()), "past 15 digits a spreadsheet rounds");
        assert_eq!(cell(Some(&json!("12345678901234.56"))), Cell::Text("12345678901234.56".into()));
        assert_eq!(cell(Some(&json!("0.25"))), Cell::Number("0.25".into()));
        assert_eq!(cell(Some(&json!({"amount": "10.00", "currency": "USD"}))), Cell::Text("10.00 USD".into()));
        assert_eq!(cell(Some(&json!(["a", "b"]))), Cell::Text("a; b".into()));
        assert_eq!(cell(Some(&json!(null))), Cell::Empty);
        assert_eq!(cell(Some(&json!(true))), Cell::Bool(true));
    }

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let mut out = Vec::new();
        csv_row(
            &mut out,
            &[
                Cell::Text("=HYPERLINK(\"x\")".into()),
                Cell::Number("-5".into()),
                Cell::Empty,
                Cell::Text("a,b".into()),
                Cell::Text("x;=1+2".into()),
            ],
        );
        assert_eq!(String::from_utf8(out).expect("utf-8"), "\"'=HYPERLINK(\"\"x\"\")\",-5,,\"a,b\",\"x;=1+2\"\r\n");
    }

    #[test]
    fn xml_text_is_escaped_and_cleaned() {
        let mut xml = String::new();
        escape_into(&mut xml, "a<b & \"c\"\u{1}");
        assert_eq!(xml, "a&lt;b &amp; &quot;c&quot;");
    }
}
