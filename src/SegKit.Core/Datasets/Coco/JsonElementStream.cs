using System.Text.Json;

namespace SegKit.Datasets.Coco;

/// <summary>
/// Handles one array element: <paramref name="reader"/> is on its first token and the whole element is in
/// <paramref name="data"/>, the span the reader reads (so <c>TokenStartIndex</c> / <c>BytesConsumed</c> index it).
/// The handler may stop anywhere: the stream moves past the element itself.
/// </summary>
internal delegate void JsonElementHandler(string? array, int index, ref Utf8JsonReader reader, ReadOnlySpan<byte> data);

/// <summary>
/// Walks a JSON document from a stream, handing over the elements of its top-level array, or of the arrays
/// under chosen properties of its top-level object, one at a time as a reader over the element's bytes. Only one
/// element (plus a read buffer as large as the largest element) is in memory at once, so a COCO file of any size is
/// read without a DOM of the whole file, and without one per entry either.
/// </summary>
internal sealed class JsonElementStream
{
    private readonly Stream _stream;
    private readonly string _name;
    private byte[] _buf = new byte[1 << 16];
    private int _start;
    private int _len;
    private long _consumedBefore; // bytes of the stream before _buf[0]
    private bool _final;
    private JsonReaderState _state;
    private string? _array;       // the array being walked, for error messages
    private int _index = -1;      // the element being read in it

    private JsonElementStream(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end. For a top-level array, calls <paramref name="onElement"/>(null, index, ...)
    /// for each element; for a top-level object, calls it with the property name for each element of each array
    /// whose name <paramref name="wantArray"/> accepts. Other top-level properties go whole to
    /// <paramref name="onOther"/>, or are skipped unparsed when it is null. Returns true when the top level was an array.
    /// Invalid JSON raises <see cref="CocoFormatException"/> naming the byte offset and the array element it is in.
    /// </summary>
    public static bool Read(Stream stream, string name, Func<string, bool> wantArray,
        JsonElementHandler onElement, Action<string, JsonElement>? onOther = null)
    {
        var r = new JsonElementStream(stream, name);
        JsonTokenType top = r.NextToken(out _);
        if (top == JsonTokenType.StartArray)
        {
            r.ReadArrayElements(null, onElement);
            r.ExpectEnd();
            return true;
        }
        if (top != JsonTokenType.StartObject)
            throw new CocoFormatException($"{name}: top level is {top}, a JSON object or array expected");
        while (true)
        {
            JsonTokenType t = r.NextToken(out string? prop);
            if (t == JsonTokenType.EndObject) break;
            if (t != JsonTokenType.PropertyName) throw new CocoFormatException($"{name}: unexpected {t} in the top-level object");
            if (wantArray(prop!))
            {
                JsonTokenType v = r.NextToken(out _);
                if (v == JsonTokenType.Null) continue;
                if (v != JsonTokenType.StartArray) throw new CocoFormatException($"{name}: \"{prop}\" is {v}, an array expected");
                r.ReadArrayElements(prop, onElement);
            }
            else if (onOther is not null)
            {
                JsonElement? v = r.NextValue(out bool end);
                if (end) throw new CocoFormatException($"{name}: \"{prop}\" has no value");
                onOther(prop!, v!.Value);
            }
            else
            {
                r.NextValue(out _, parse: false);
            }
        }
        r.ExpectEnd();
        return false;
    }

    private void ReadArrayElements(string? prop, JsonElementHandler onElement)
    {
        _array = prop ?? "top-level array";
        for (_index = 0; NextElement(prop, _index, onElement); _index++) { }
        _array = null;
        _index = -1;
    }

    // Hands the next element of the array to the handler once all its bytes are buffered; false at the array's end.
    private bool NextElement(string? prop, int index, JsonElementHandler handler)
    {
        while (true)
        {
            ReadOnlySpan<byte> span = _buf.AsSpan(_start, _len - _start);
            var reader = new Utf8JsonReader(span, _final, _state);
            Utf8JsonReader end;
            try
            {
                if (!reader.Read()) goto more;
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    Commit(ref reader);
                    return false;
                }
                end = reader;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !end.TrySkip()) goto more;
            }
            catch (JsonException ex)
            {
                throw Invalid(EndsEarly() ? EarlyEnd : ex.Message, ex, reader.BytesConsumed);
            }
            Utf8JsonReader element = reader;
            handler(prop, index, ref element, span);
            Commit(ref end);
            return true;
        more:
            if (!Fill()) throw Invalid(EarlyEnd, null, 0);
        }
    }

    private void ExpectEnd()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buf.AsSpan(_start, _len - _start), _final, _state);
            try
            {
                if (reader.Read()) throw Invalid($"content after the end of the document ({reader.TokenType})", null, reader.BytesConsumed);
            }
            catch (JsonException ex)
            {
                throw Invalid(ex.Message, ex, reader.BytesConsumed);
            }
            if (!Fill()) return;
        }
    }

    // Reads one token that is not a value start we want whole (property names, array/object starts and ends).
    private JsonTokenType NextToken(out string? propertyName)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buf.AsSpan(_start, _len - _start), _final, _state);
            try
            {
                if (reader.Read())
                {
                    propertyName = reader.TokenType == JsonTokenType.PropertyName ? reader.GetString() : null;
                    Commit(ref reader);
                    return reader.TokenType;
                }
            }
            catch (JsonException ex)
            {
                throw Invalid(EndsEarly() ? EarlyEnd : ex.Message, ex, reader.BytesConsumed);
            }
            catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
            {
                // GetString() on a property name that is not UTF-8 (entries' own strings are the handlers' to report).
                throw Invalid("a property name is not valid UTF-8", ex, reader.BytesConsumed);
            }
            if (!Fill()) throw Invalid(EarlyEnd, null, 0);
        }
    }

    // Reads one whole value (or the end of the enclosing array), refilling the buffer until it is complete.
    private JsonElement? NextValue(out bool endOfArray, bool parse = true)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buf.AsSpan(_start, _len - _start), _final, _state);
            try
            {
                if (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        endOfArray = true;
                        Commit(ref reader);
                        return null;
                    }
                    endOfArray = false;
                    if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                    {
                        JsonElement? prim = parse ? JsonElement.ParseValue(ref reader) : null;
                        Commit(ref reader);
                        return prim;
                    }
                    Utf8JsonReader probe = reader;
                    if (probe.TrySkip())
                    {
                        JsonElement? v;
                        if (parse)
                        {
                            v = JsonElement.ParseValue(ref reader);
                        }
                        else
                        {
                            reader.TrySkip();
                            v = null;
                        }
                        Commit(ref reader);
                        return v;
                    }
                }
            }
            catch (JsonException ex)
            {
                throw Invalid(EndsEarly() ? EarlyEnd : ex.Message, ex, reader.BytesConsumed);
            }
            if (!Fill()) throw Invalid(EarlyEnd, null, 0);
        }
    }

    private const string EarlyEnd = "the JSON ends early (a truncated file?)";

    // True when the unread bytes are valid JSON that simply stops: the reader failed only because this was the final block.
    private bool EndsEarly()
    {
        if (!_final) return false;
        var probe = new Utf8JsonReader(_buf.AsSpan(_start, _len - _start), isFinalBlock: false, _state);
        try
        {
            while (probe.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private CocoFormatException Invalid(string what, Exception? inner, long consumedInSlice)
    {
        long offset = _consumedBefore + _start + consumedInSlice;
        string where = _array is null ? "" : $" in \"{_array}\" element {_index}";
        string message = $"{_name}: invalid JSON near byte {offset:N0}{where}: {what}";
        return inner is null ? new CocoFormatException(message) : new CocoFormatException(message, inner);
    }

    private void Commit(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    // Keeps the unread bytes, grows the buffer when they fill it, and reads more. False at end of stream.
    private bool Fill()
    {
        if (_final) return false;
        int rest = _len - _start;
        _consumedBefore += _start;
        if (_start > 0) Buffer.BlockCopy(_buf, _start, _buf, 0, rest);
        _start = 0;
        _len = rest;
        if (_len == _buf.Length) Array.Resize(ref _buf, checked(_buf.Length * 2));
        int n = _stream.Read(_buf, _len, _buf.Length - _len);
        if (n == 0) _final = true;
        _len += n;
        return true;
    }
}
