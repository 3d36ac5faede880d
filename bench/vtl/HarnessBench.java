import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.velocity.Template;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;
import org.apache.velocity.runtime.RuntimeInstance;
import org.apache.velocity.runtime.parser.node.SimpleNode;

/**
 * Renders a mapping template N times with the reference renderer (Harness, mode awsjp: Velocity 1.7, Jayway
 * JsonPath 2.0, json-smart 2.2) and prints the mean microseconds of the rendering thread's CPU time per
 * render (CPU time, as bench_vtl measures: the machine is shared; GC and JIT threads are not counted), after
 * WARMUP untimed renders for the JIT. The template is parsed once, as Portico compiles once; each render builds the request's $input,
 * $context and Velocity context, as a request does.
 * With ROUNDS, the N timed renders are repeated ROUNDS times and the fastest round is printed (as bench_vtl).
 * usage: HarnessBench TEMPLATE_FILE BODY_FILE N WARMUP [ROUNDS]
 */
public class HarnessBench {
    public static void main(String[] a) throws Exception {
        String tpl = new String(Files.readAllBytes(Paths.get(a[0])), StandardCharsets.UTF_8);
        String body = new String(Files.readAllBytes(Paths.get(a[1])), StandardCharsets.UTF_8);
        int n = Integer.parseInt(a[2]), warmup = Integer.parseInt(a[3]);
        int rounds = a.length > 4 ? Integer.parseInt(a[4]) : 1;
        Harness.AWS = true;
        Harness.JSONPATH = true;
        RuntimeInstance ri = new RuntimeInstance();
        ri.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        ri.setProperty("runtime.introspector.uberspect", Harness.AwsUberspect.class.getName());
        ri.init();
        SimpleNode node = ri.parse(new StringReader(tpl), "bench");
        Template t = new Template();
        t.setRuntimeServices(ri);
        t.setData(node);
        t.initDocument();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        int len = 0;
        for (int i = 0; i < warmup; i++)
            len = render(t, body).length();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long start = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++)
                len = render(t, body).length();
            best = Math.min(best, (cpu.getCurrentThreadCpuTime() - start) / 1e3 / n);
        }
        System.out.printf("%.3f %d%n", best, len);
    }

    static String render(Template t, String body) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("path", new LinkedHashMap<String, Object>());
        params.put("querystring", new LinkedHashMap<String, Object>());
        params.put("header", new LinkedHashMap<String, Object>());
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("requestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
        ctx.put("httpMethod", "POST");
        ctx.put("resourcePath", "/comments");
        ctx.put("stage", "prod");
        Map<String, Object> root = new HashMap<>();
        root.put("input", new Harness.Input(body, params));
        root.put("util", new Harness.Util());
        root.put("context", ctx);
        root.put("stageVariables", new LinkedHashMap<String, Object>());
        Harness.AwsContext vc = new Harness.AwsContext(root);
        EventCartridge ec = new EventCartridge();
        ec.addEventHandler(new ReferenceInsertionEventHandler() {
            public Object referenceInsert(String ref, Object value) { return value == null ? "" : value; }
        });
        ec.attachToContext(vc);
        StringWriter w = new StringWriter();
        t.merge(vc, w);
        return w.toString();
    }
}
