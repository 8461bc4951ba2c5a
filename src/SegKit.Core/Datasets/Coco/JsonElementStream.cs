using System.Text.Json;

namespace SegKit.Datasets.Coco;

/// <summary>
/// Walks a JSON document from a stream, handing over the elements of its top-level array, or of the arrays
/// under chosen properties of its top-level object, one <see cref="JsonElement"/> at a time. Only one element
/// (plus a read buffer) is in memory at once, so a COCO file of any size is read without a DOM of the whole file.
/// </summary>
internal sealed class JsonElementStream
{
    private readonly Stream _stream;
    private readonly string _name;
    private byte[] _buf = new byte[1 << 16];
    private int _start;
    private int _len;
    private bool _final;
    private JsonReaderState _state;

    private JsonElementStream(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end. For a top-level array, calls <paramref name="onElement"/>(null, e)
    /// for each element; for a top-level object, calls it with the property name for each element of each array
    /// whose name <paramref name="wantArray"/> accepts, skipping every other property. Returns true when the top level
    /// was an array.
    /// </summary>
    public static bool Read(Stream stream, string name, Func<string, bool> wantArray, Action<string?, JsonElement> onElement)
    {
        var r = new JsonElementStream(stream, name);
        JsonTokenType top = r.NextToken(out _);
        if (top == JsonTokenType.StartArray)
        {
            r.ReadArrayElements(null, onElement);
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
            else
            {
                r.SkipValue();
            }
        }
        return false;
    }

    private void ReadArrayElements(string? prop, Action<string?, JsonElement> onElement)
    {
        while (true)
        {
            JsonElement? e = NextValue(out bool endOfArray);
            if (endOfArray) return;
            onElement(prop, e!.Value);
        }
    }

    private void SkipValue() => NextValue(out _, parse: false);

    // Reads one token that is not a value start we want whole (property names, array/object starts and ends).
    private JsonTokenType NextToken(out string? propertyName)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buf.AsSpan(_start, _len - _start), _final, _state);
            if (reader.Read())
            {
                propertyName = reader.TokenType == JsonTokenType.PropertyName ? reader.GetString() : null;
                Commit(ref reader);
                return reader.TokenType;
            }
            if (!Fill()) throw new CocoFormatException($"{_name}: the JSON ends early");
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
                throw new CocoFormatException($"{_name}: invalid JSON ({ex.Message})", ex);
            }
            if (!Fill()) throw new CocoFormatException($"{_name}: the JSON ends early");
        }
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

/// <summary>A COCO JSON file that is not valid JSON or does not have the structure COCO defines; the message names the file and the field.</summary>
public sealed class CocoFormatException : SegKitException
{
    /// <summary>Creates the exception.</summary>
    public CocoFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public CocoFormatException(string message, Exception inner) : base(message, inner) { }
}
