using System.Buffers;
using System.Text.Json;

namespace SegKit.Datasets.Coco;

/// <summary>
/// The fields of a COCO JSON object that SegKit does not model (an image's <c>license</c>, <c>coco_url</c>,
/// <c>date_captured</c>; a category's <c>keypoints</c>; a result's <c>predicted_iou</c>; the file's <c>info</c> and
/// <c>licenses</c>...), kept as the UTF-8 text of a JSON object so that read → write loses nothing. The text is
/// parsed only when a field is asked for; values keep the text they were read with. Immutable; two instances are equal
/// when their texts are.
/// </summary>
public sealed class CocoExtras : IEquatable<CocoExtras>
{
    private readonly byte[] _utf8;

    private CocoExtras(byte[] utf8) => _utf8 = utf8;

    /// <summary>The fields as one JSON object, UTF-8.</summary>
    public ReadOnlySpan<byte> Utf8Json => _utf8;

    /// <summary>The field names in order.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            using JsonDocument d = JsonDocument.Parse(_utf8);
            return d.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        }
    }

    /// <summary>The value of field <paramref name="name"/> (a copy that outlives this call), or false when absent.</summary>
    public bool TryGetValue(string name, out JsonElement value)
    {
        using JsonDocument d = JsonDocument.Parse(_utf8);
        if (d.RootElement.TryGetProperty(name, out JsonElement v))
        {
            value = v.Clone();
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>
    /// Builds extras by letting <paramref name="writeProperties"/> write properties (names and values) into an open
    /// JSON object; null when it writes none.
    /// </summary>
    public static CocoExtras? Build(Action<Utf8JsonWriter> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writeProperties);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            writeProperties(w);
            w.WriteEndObject();
        }
        return buffer.WrittenCount <= 2 ? null : new CocoExtras(buffer.WrittenSpan.ToArray());
    }

    /// <summary>Parses a JSON object's text; null for <c>{}</c>.</summary>
    /// <exception cref="ArgumentException">The text is not one JSON object.</exception>
    public static CocoExtras? FromJson(string jsonObject)
    {
        ArgumentNullException.ThrowIfNull(jsonObject);
        try
        {
            using JsonDocument d = JsonDocument.Parse(jsonObject);
            if (d.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"extras must be a JSON object, not {d.RootElement.ValueKind}", nameof(jsonObject));
            return Build(w => { foreach (JsonProperty p in d.RootElement.EnumerateObject()) p.WriteTo(w); });
        }
        catch (JsonException e)
        {
            throw new ArgumentException("extras are not valid JSON: " + e.Message, nameof(jsonObject), e);
        }
    }

    /// <summary>These extras plus (or with a new value for) <paramref name="name"/>, written by <paramref name="writeValue"/>.</summary>
    public static CocoExtras With(CocoExtras? extras, string name, Action<Utf8JsonWriter> writeValue)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(writeValue);
        return Build(w =>
        {
            if (extras is not null)
            {
                using JsonDocument d = JsonDocument.Parse(extras._utf8);
                foreach (JsonProperty p in d.RootElement.EnumerateObject())
                    if (p.Name != name) p.WriteTo(w);
            }
            w.WritePropertyName(name);
            writeValue(w);
        })!;
    }

    /// <summary>Writes the fields as properties into the object <paramref name="writer"/> has open, each value as its text.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var reader = new Utf8JsonReader(_utf8);
        reader.Read(); // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            writer.WritePropertyName(reader.GetString()!);
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            writer.WriteRawValue(_utf8.AsSpan(start, (int)reader.BytesConsumed - start), skipInputValidation: true);
        }
    }

    /// <inheritdoc/>
    public bool Equals(CocoExtras? other) => other is not null && _utf8.AsSpan().SequenceEqual(other._utf8);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CocoExtras);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_utf8);
        return h.ToHashCode();
    }

    /// <summary>The JSON object text.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(_utf8);

    // Collects the properties of an object the parser does not model; allocates only when there are some.
    internal struct Collector
    {
        private ArrayBufferWriter<byte>? _buffer;
        private Utf8JsonWriter? _writer;

        public void Add(JsonProperty p) => p.WriteTo(Writer());

        public void Add(string name, JsonElement value)
        {
            Utf8JsonWriter w = Writer();
            w.WritePropertyName(name);
            value.WriteTo(w);
        }

        // A value's raw JSON text, already validated by the reader that produced it.
        public void AddRaw(string name, ReadOnlySpan<byte> rawJsonValue)
        {
            Utf8JsonWriter w = Writer();
            w.WritePropertyName(name);
            w.WriteRawValue(rawJsonValue, skipInputValidation: true);
        }

        private Utf8JsonWriter Writer()
        {
            if (_writer is null)
            {
                _buffer = new ArrayBufferWriter<byte>(128);
                _writer = new Utf8JsonWriter(_buffer);
                _writer.WriteStartObject();
            }
            return _writer;
        }

        public readonly CocoExtras? ToExtras()
        {
            if (_writer is null) return null;
            _writer.WriteEndObject();
            _writer.Dispose();
            return new CocoExtras(_buffer!.WrittenSpan.ToArray());
        }
    }
}
