package net.minidev.json.parser;

import java.io.IOException;

import net.minidev.json.writer.JsonReaderI;

/**
 * json-smart 2.2's string parser with its nesting counter kept right. 2.2 counts every object or array it opens
 * but forgets to count down when a non-empty object ends, so a document with more than 400 non-empty objects
 * (a 100-item DynamoDB Query result) fails with "Malicious payload, having non natural depths". API Gateway
 * renders such responses, so the reference renderer must not inherit that bug; everything else is 2.2's own code.
 * Lives in json-smart's package to reach its protected parser.
 */
public class DepthSafeStringParser extends JSONParserString {
    public DepthSafeStringParser(int mode) { super(mode); }

    @Override protected <T> T readObject(JsonReaderI<T> mapper) throws ParseException, IOException {
        int before = depth;
        T v = super.readObject(mapper);
        depth = before;
        return v;
    }

    @Override protected <T> T readArray(JsonReaderI<T> mapper) throws ParseException, IOException {
        int before = depth;
        T v = super.readArray(mapper);
        depth = before;
        return v;
    }
}
