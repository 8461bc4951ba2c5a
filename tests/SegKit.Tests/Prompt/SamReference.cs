using System.Text.Json;
using SegKit.Imaging;
using SegKit.Masks;
using SegKit.Prompt;
using SegKit.Tests.TestSupport;

namespace SegKit.Tests.Prompt;

/// <summary>
/// ../shared/reference/sam: segment-anything's own decoder export (ViT-B, seeded random weights), the embedding its
/// SamPredictor computed for truck.jpg, and the official predictor's outputs for several prompts.
/// </summary>
internal static class SamReference
{
    public static string Decoder => TestPaths.SharedReference("sam", "sam_vitb_rand_decoder.onnx");

    private static readonly Lazy<JsonDocument> s_json = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(TestPaths.SharedReference("sam", "reference.json"))));

    public static JsonElement Root => s_json.Value.RootElement;

    public static ImageSize ImageSize => new(Root.GetProperty("width").GetInt32(), Root.GetProperty("height").GetInt32());

    private static readonly Lazy<SamImageEmbedding> s_embedding = new(() =>
    {
        var npy = Npy.Read(TestPaths.SharedReference("sam", "image_embedding.npy"));
        return SamImageEmbedding.Create(npy.AsFloat32(), npy.Shape, ImageSize);
    });

    /// <summary>The official predictor's embedding of truck.jpg.</summary>
    public static SamImageEmbedding Embedding => s_embedding.Value;

    public static IEnumerable<JsonElement> Cases => Root.GetProperty("cases").EnumerateArray();

    public static JsonElement Case(string name) => Cases.Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>The prompt of a reference case, in original-image pixels.</summary>
    public static SamPrompt Prompt(JsonElement c)
    {
        var points = new List<SamPoint>();
        if (c.GetProperty("point_coords").ValueKind == JsonValueKind.Array)
        {
            var coords = c.GetProperty("point_coords").EnumerateArray().ToArray();
            var labels = c.GetProperty("point_labels").EnumerateArray().ToArray();
            for (int i = 0; i < coords.Length; i++)
                points.Add(new SamPoint(coords[i][0].GetDouble(), coords[i][1].GetDouble(), (SamPointLabel)labels[i].GetInt32()));
        }
        BoxXyxy? box = null;
        if (c.GetProperty("box_xyxy").ValueKind == JsonValueKind.Array)
        {
            var b = c.GetProperty("box_xyxy").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            box = new BoxXyxy(b[0], b[1], b[2], b[3]);
        }
        return new SamPrompt { Points = points, Box = box };
    }

    public static CocoRle Rle(JsonElement rle) =>
        CocoRle.FromCompressedString(rle.GetProperty("size")[0].GetInt32(), rle.GetProperty("size")[1].GetInt32(),
            rle.GetProperty("counts").GetString()!);
}
