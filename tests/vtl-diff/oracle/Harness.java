import java.io.*;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

import net.minidev.json.JSONArray;
import net.minidev.json.JSONObject;
import net.minidev.json.JSONValue;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;
import org.apache.velocity.util.introspection.*;

/**
 * Reference renderer for differential tests of the project's VTL engine: the real Apache Velocity 1.7 engine,
 * with $input/$util/$context emulated the way API Gateway provides them (see ../../VTL-FACTS.md).
 *   mode "pure":  stock Velocity 1.7 null handling
 *   mode "aws":   every null/undefined value evaluates to "" (what AWS recordings show)
 *   mode "awsjp": "aws" plus Jayway JsonPath / json-smart for $input.path, $input.json and $util.parseJson
 * usage: java -cp CLASSPATH Harness MODE IN.json OUT.jsonl
 *   IN.json: [{"id", "template", "request": {"body", "path", "querystring", "headers", "method", "resourcePath",
 *              "stage"}, "context": {...}, "stageVariables": {...}}, ...]
 *   OUT.jsonl: one {"id", "out"} or {"id", "error"} per line.
 * The $input/$util/$context classes here are emulations written for this harness, not AWS code.
 * Changes from shared/reference/vtl-oracle/Harness.java: json-smart's nesting-counter bug is avoided (Provider),
 * and $context has writable requestOverride / responseOverride maps and an empty authorizer map.
 */
public class Harness {
    static boolean AWS = false;
    static boolean JSONPATH = false;
    /** Jayway's json-smart provider (permissive mode, ordered maps), parsing with json-smart 2.2's own parser
     *  except for its nesting-counter bug (see net/minidev/json/parser/DepthSafeStringParser.java). */
    static class Provider extends com.jayway.jsonpath.spi.json.JsonSmartJsonProvider {
        @Override public Object parse(String json) throws com.jayway.jsonpath.InvalidJsonException {
            try {
                return new net.minidev.json.parser.DepthSafeStringParser(net.minidev.json.parser.JSONParser.MODE_PERMISSIVE)
                        .parse(json, JSONValue.defaultReader.DEFAULT_ORDERED);
            } catch (net.minidev.json.parser.ParseException e) {
                throw new com.jayway.jsonpath.InvalidJsonException(e);
            }
        }
    }
    static final com.jayway.jsonpath.spi.json.JsonSmartJsonProvider PROVIDER = new Provider();
    static final com.jayway.jsonpath.Configuration CONF = com.jayway.jsonpath.Configuration.defaultConfiguration().jsonProvider(PROVIDER);

    // ---------------- ordered JSON parser ----------------
    static class JList extends ArrayList<Object> {
        @Override public String toString() { return toJson(this); }
    }
    static class P {
        final String s; int i = 0;
        P(String s) { this.s = s; }
        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        Object value() {
            ws();
            if (i >= s.length()) throw new RuntimeException("eof");
            char c = s.charAt(i);
            if (c == '{') {
                i++; LinkedHashMap<String, Object> m = new LinkedHashMap<>(); ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws(); String k = (String) value(); ws();
                    if (s.charAt(i++) != ':') throw new RuntimeException("colon");
                    m.put(k, value()); ws();
                    char d = s.charAt(i++);
                    if (d == '}') return m;
                    if (d != ',') throw new RuntimeException("comma");
                }
            }
            if (c == '[') {
                i++; JList l = new JList(); ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value()); ws();
                    char d = s.charAt(i++);
                    if (d == ']') return l;
                    if (d != ',') throw new RuntimeException("comma");
                }
            }
            if (c == '"') {
                i++; StringBuilder b = new StringBuilder();
                while (true) {
                    char d = s.charAt(i++);
                    if (d == '"') return b.toString();
                    if (d == '\\') {
                        char e = s.charAt(i++);
                        switch (e) {
                            case 'n': b.append('\n'); break; case 't': b.append('\t'); break;
                            case 'r': b.append('\r'); break; case 'b': b.append('\b'); break;
                            case 'f': b.append('\f'); break;
                            case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                            default: b.append(e);
                        }
                    } else b.append(d);
                }
            }
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String n = s.substring(st, i);
            if (n.isEmpty()) throw new RuntimeException("bad token");
            if (n.contains(".") || n.contains("e") || n.contains("E")) return Double.valueOf(n);
            long v = Long.parseLong(n);
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return (int) v;
            return v;
        }
        static Object parseStrict(String s) {
            P p = new P(s); Object v = p.value(); p.ws();
            if (p.i != s.length()) throw new RuntimeException("trailing");
            return v;
        }
    }

    static String toJson(Object o) {
        if (o == null) return "null";
        if (o instanceof String) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : ((String) o).toCharArray()) {
                switch (c) {
                    case '"': b.append("\\\""); break; case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break; case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default: if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
                }
            }
            return b.append('"').toString();
        }
        if (o instanceof Map) {
            StringBuilder b = new StringBuilder("{"); boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                if (!first) b.append(','); first = false;
                b.append(toJson(String.valueOf(e.getKey()))).append(':').append(toJson(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof List) {
            StringBuilder b = new StringBuilder("["); boolean first = true;
            for (Object x : (List<?>) o) { if (!first) b.append(','); first = false; b.append(toJson(x)); }
            return b.append(']').toString();
        }
        return String.valueOf(o);
    }

    static final Object MISSING = new Object();

    static Object evalPath(Object root, String path) {
        if (!path.startsWith("$")) return MISSING;
        Object cur = root; int i = 1;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.') {
                int j = i + 1;
                while (j < path.length() && path.charAt(j) != '.' && path.charAt(j) != '[') j++;
                String key = path.substring(i + 1, j);
                if (!(cur instanceof Map) || !((Map<?, ?>) cur).containsKey(key)) return MISSING;
                cur = ((Map<?, ?>) cur).get(key); i = j;
            } else if (c == '[') {
                int j = path.indexOf(']', i);
                String inner = path.substring(i + 1, j).trim();
                if (inner.startsWith("'") || inner.startsWith("\"")) {
                    String key = inner.substring(1, inner.length() - 1);
                    if (!(cur instanceof Map) || !((Map<?, ?>) cur).containsKey(key)) return MISSING;
                    cur = ((Map<?, ?>) cur).get(key);
                } else {
                    int idx = Integer.parseInt(inner);
                    if (!(cur instanceof List) || idx >= ((List<?>) cur).size()) return MISSING;
                    cur = ((List<?>) cur).get(idx);
                }
                i = j + 1;
            } else return MISSING;
        }
        return cur;
    }

    public static class Input {
        final String body; final Map<String, Object> params;
        Input(String body, Map<String, Object> params) { this.body = body; this.params = params; }
        public String getBody() { return body.isEmpty() ? "{}" : body; }
        Object root() {
            if (body.isEmpty()) return new LinkedHashMap<String, Object>();
            try { return P.parseStrict(body); }
            catch (RuntimeException e) {
                String t = body.trim();
                if (t.startsWith("{") || t.startsWith("[")) throw new RuntimeException("Could not process payload");
                return body;
            }
        }
        Object jroot() {
            if (body.isEmpty()) return PROVIDER.parse("{}");
            return PROVIDER.parse(body);   // json-smart permissive via Jayway JsonPath (throws on "{a")
        }
        Object jread(String p) {
            try { return com.jayway.jsonpath.JsonPath.using(CONF).parse(jroot()).read(p); }
            catch (com.jayway.jsonpath.PathNotFoundException e) { return MISSING; }
        }
        public Object path(String p) {
            Object v = JSONPATH ? jread(p) : evalPath(root(), p);
            if (v == MISSING || v == null) return AWS ? "" : null;
            return v;
        }
        public String json(String p) {
            Object v = JSONPATH ? jread(p) : evalPath(root(), p);
            if (v == MISSING) return "\"\"";
            if (JSONPATH) return net.minidev.json.JSONValue.toJSONString(v, net.minidev.json.JSONStyle.LT_COMPRESS);
            return toJson(v);
        }
        public Object params() { return params; }
        public Object params(String name) {
            for (String k : new String[]{"path", "querystring", "header"}) {
                Map<?, ?> m = (Map<?, ?>) params.get(k);
                if (m.containsKey(name)) return m.get(name);
            }
            return "";
        }
    }

    public static class Util {
        public String escapeJavaScript(Object s) { return s == null ? "" : StringEscapeUtils.escapeJavaScript(String.valueOf(s)); }
        public Object parseJson(String s) { return JSONPATH ? PROVIDER.parse(s) : P.parseStrict(s); }
        public String urlEncode(String s) throws Exception { return URLEncoder.encode(s, "UTF-8"); }
        public String urlDecode(String s) throws Exception { return URLDecoder.decode(s, "UTF-8"); }
        public String base64Encode(Object s) { return Base64.getEncoder().encodeToString(String.valueOf(s).getBytes(StandardCharsets.UTF_8)); }
        public String base64Decode(String s) { return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8); }
    }

    // ---------------- AWS null model: nulls and unknown names evaluate to "" ----------------
    public static class AwsUberspect extends UberspectImpl {
        @Override public VelPropertyGet getPropertyGet(Object obj, String id, Info i) throws Exception {
            final VelPropertyGet g = super.getPropertyGet(obj, id, i);
            return new VelPropertyGet() {
                public Object invoke(Object o) throws Exception { Object v = g == null ? null : g.invoke(o); return v == null ? "" : v; }
                public boolean isCacheable() { return false; }
                public String getMethodName() { return g == null ? id : g.getMethodName(); }
            };
        }
        @Override public VelMethod getMethod(Object obj, String m, Object[] args, Info i) throws Exception {
            final VelMethod vm = super.getMethod(obj, m, args, i);
            if (vm == null) return null;
            return new VelMethod() {
                public Object invoke(Object o, Object[] a) throws Exception { Object v = vm.invoke(o, a); return v == null ? "" : v; }
                public boolean isCacheable() { return vm.isCacheable(); }
                public String getMethodName() { return vm.getMethodName(); }
                public Class getReturnType() { return vm.getReturnType(); }
            };
        }
    }
    static class AwsContext extends VelocityContext {
        AwsContext(Map m) { super(m); }
        @Override public Object internalGet(String key) {
            Object v = super.internalGet(key);
            if (v == null && !super.internalContainsKey(key) && !key.equals("foreach") && !key.equals("velocityCount")
                    && !key.equals("velocityHasNext") && !key.startsWith(".")) return "";
            return v;
        }
    }

    static Map<String, Object> deep(Object o) {
        return (Map<String, Object>) toOrdered(o);
    }
    static Object toOrdered(Object o) {
        if (o instanceof Map) {
            LinkedHashMap<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) m.put(String.valueOf(e.getKey()), toOrdered(e.getValue()));
            return m;
        }
        if (o instanceof List) { JList l = new JList(); for (Object x : (List<?>) o) l.add(toOrdered(x)); return l; }
        return o;
    }

    public static void main(String[] args) throws Exception {
        AWS = args[0].startsWith("aws");
        JSONPATH = args[0].equals("awsjp");
        String text = new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8);
        // json-smart's JSONObject is a HashMap: parameters, headers and stage variables iterate in HashMap order,
        // as API Gateway's own maps do ($context.keySet() is recorded in HashMap order, VTL-FACTS item 16)
        List<?> cases = (List<?>) new net.minidev.json.parser.DepthSafeStringParser(
                net.minidev.json.parser.JSONParser.DEFAULT_PERMISSIVE_MODE).parse(text);
        VelocityEngine ve = new VelocityEngine();
        ve.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        if (AWS) ve.setProperty("runtime.introspector.uberspect", AwsUberspect.class.getName());
        ve.init();
        PrintStream out = new PrintStream(new FileOutputStream(args[2]), true, "UTF-8");
        for (Object co : cases) {
            Map<?, ?> c = (Map<?, ?>) co;
            Map<?, ?> req = (Map<?, ?>) c.get("request");
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("path", deep(req.get("path")));
            params.put("querystring", deep(req.get("querystring")));
            params.put("header", deep(req.get("headers")));
            Map<String, Object> ctx = new LinkedHashMap<>();
            ctx.put("httpMethod", req.get("method"));
            ctx.put("resourcePath", req.get("resourcePath"));
            ctx.put("stage", req.get("stage"));
            ctx.putAll(deep(c.get("context")));
            // $context.requestOverride / responseOverride are writable maps on AWS (VTL-FACTS item 17)
            if (!ctx.containsKey("requestOverride")) {
                Map<String, Object> ro = new LinkedHashMap<>();
                ro.put("header", new LinkedHashMap<String, Object>());
                ro.put("path", new LinkedHashMap<String, Object>());
                ro.put("querystring", new LinkedHashMap<String, Object>());
                ctx.put("requestOverride", ro);
            }
            // with no authorizer AWS still has an empty $context.authorizer (VTL-FACTS item 16, recorded)
            if (!ctx.containsKey("authorizer")) ctx.put("authorizer", new LinkedHashMap<String, Object>());
            if (!ctx.containsKey("responseOverride")) {
                Map<String, Object> ro = new LinkedHashMap<>();
                ro.put("header", new LinkedHashMap<String, Object>());
                ctx.put("responseOverride", ro);
            }
            Map<String, Object> root = new HashMap<>();
            root.put("input", new Input((String) req.get("body"), params));
            root.put("util", new Util());
            root.put("context", ctx);
            root.put("stageVariables", deep(c.get("stageVariables")));
            VelocityContext vc = AWS ? new AwsContext(root) : new VelocityContext(root);
            if (AWS) {
                EventCartridge ec = new EventCartridge();
                ec.addEventHandler(new ReferenceInsertionEventHandler() {
                    public Object referenceInsert(String ref, Object value) { return value == null ? "" : value; }
                });
                ec.attachToContext(vc);
            }
            JSONObject res = new JSONObject();
            res.put("id", c.get("id"));
            try {
                StringWriter w = new StringWriter();
                ve.evaluate(vc, w, (String) c.get("id"), (String) c.get("template"));
                res.put("out", w.toString());
            } catch (Throwable t) {
                res.put("error", t.toString());
            }
            out.println(res.toJSONString());
        }
    }
}
