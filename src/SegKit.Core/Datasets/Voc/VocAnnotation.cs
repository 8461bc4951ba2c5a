using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using SegKit.Masks;

namespace SegKit.Datasets.Voc;

/// <summary>
/// A VOC <c>bndbox</c> as the XML writes it: 1-based pixel coordinates, both corners inclusive (a box covering
/// pixels 1..10 has XMin 1, XMax 10). Some VOC-style sets write fractional values; they are kept.
/// </summary>
public readonly record struct VocBndBox(double XMin, double YMin, double XMax, double YMax)
{
    /// <summary>
    /// The box in SegKit's 0-based pixel-edge frame: (XMin − 1, YMin − 1, XMax, YMax), as detectron2 and the
    /// torchvision detection references convert VOC boxes.
    /// </summary>
    public BoxXyxy ToBoxXyxy() => new((float)(XMin - 1), (float)(YMin - 1), (float)XMax, (float)YMax);

    /// <summary>The VOC box of a 0-based pixel-edge box whose edges lie on whole pixels (the inverse of <see cref="ToBoxXyxy"/>).</summary>
    public static VocBndBox FromBoxXyxy(BoxXyxy box) => new(box.X1 + 1, box.Y1 + 1, box.X2, box.Y2);
}

/// <summary>An <c>object</c> of a VOC annotation.</summary>
/// <param name="Name">Class name (<c>person</c>, <c>aeroplane</c>...).</param>
/// <param name="BndBox">The box, 1-based inclusive.</param>
/// <param name="Difficult">VOC's <c>difficult</c> flag (excluded from VOC detection scoring).</param>
/// <param name="Truncated">VOC's <c>truncated</c> flag.</param>
/// <param name="Occluded">VOC's <c>occluded</c> flag (present from VOC2010 on; false when absent).</param>
/// <param name="Pose">VOC's <c>pose</c> (<c>Unspecified</c>, <c>Left</c>...), or null when absent.</param>
public sealed record VocObject(string Name, VocBndBox BndBox, bool Difficult = false, bool Truncated = false, bool Occluded = false, string? Pose = null);

/// <summary>
/// A VOC <c>Annotations/&lt;id&gt;.xml</c>: image size and objects. In the segmentation sets, object k (1-based, in file
/// order) is the object with index k in <c>SegmentationObject/&lt;id&gt;.png</c>. Person-layout <c>part</c>s and the
/// <c>source</c>/<c>owner</c> blocks are not kept. Equal when all fields and all objects are.
/// </summary>
/// <param name="FileName">The <c>filename</c> (e.g. <c>2007_000032.jpg</c>), or null.</param>
/// <param name="Width">Image width from <c>size</c>.</param>
/// <param name="Height">Image height from <c>size</c>.</param>
/// <param name="Depth">Channels from <c>size</c> (3).</param>
/// <param name="Segmented">Whether the image has segmentation masks.</param>
/// <param name="Objects">The objects in file order.</param>
/// <param name="Folder">The <c>folder</c> (e.g. <c>VOC2012</c>), or null.</param>
public sealed record VocAnnotation(string? FileName, int Width, int Height, int Depth, bool Segmented, IReadOnlyList<VocObject> Objects, string? Folder = null)
{
    /// <summary>Reads <c>Annotations/&lt;id&gt;.xml</c>.</summary>
    /// <exception cref="VocDatasetException">Missing, not XML, or lacking <c>size</c> / an object's <c>name</c> or <c>bndbox</c>.</exception>
    public static VocAnnotation Load(string path, string? listFile = null)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Load(path);
        }
        catch (FileNotFoundException e)
        {
            throw new VocDatasetException(path, "not found", listFile, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new VocDatasetException(path, "not found", listFile, e);
        }
        catch (XmlException e)
        {
            throw new VocDatasetException(path, "not valid XML: " + e.Message, listFile, e);
        }
        return Parse(doc, path, listFile);
    }

    /// <summary>Parses annotation XML text; <paramref name="sourceName"/> names it in errors.</summary>
    public static VocAnnotation Parse(string xml, string sourceName = "<xml>")
    {
        try
        {
            return Parse(XDocument.Parse(xml), sourceName, null);
        }
        catch (XmlException e)
        {
            throw new VocDatasetException(sourceName, "not valid XML: " + e.Message, null, e);
        }
    }

    private static VocAnnotation Parse(XDocument doc, string path, string? listFile)
    {
        XElement root = doc.Root is { Name.LocalName: "annotation" } r ? r
            : throw new VocDatasetException(path, "the root element is not <annotation>", listFile);
        XElement size = root.Element("size") ?? throw new VocDatasetException(path, "lacks <size>", listFile);
        var objects = new List<VocObject>();
        int k = 0;
        foreach (XElement o in root.Elements("object"))
        {
            k++;
            string where = $"object {k}";
            string name = ((string?)o.Element("name"))?.Trim() is { Length: > 0 } n ? n : throw new VocDatasetException(path, $"{where} lacks <name>", listFile);
            XElement box = o.Element("bndbox") ?? throw new VocDatasetException(path, $"{where} ({name}) lacks <bndbox>", listFile);
            objects.Add(new VocObject(name,
                new VocBndBox(Number(box, "xmin", path, listFile), Number(box, "ymin", path, listFile), Number(box, "xmax", path, listFile), Number(box, "ymax", path, listFile)),
                Flag(o, "difficult"), Flag(o, "truncated"), Flag(o, "occluded"), ((string?)o.Element("pose"))?.Trim()));
        }
        return new VocAnnotation(((string?)root.Element("filename"))?.Trim(),
            (int)Number(size, "width", path, listFile), (int)Number(size, "height", path, listFile),
            size.Element("depth") is null ? 3 : (int)Number(size, "depth", path, listFile),
            Flag(root, "segmented"), objects, ((string?)root.Element("folder"))?.Trim());
    }

    /// <summary>The annotation as VOC XML (tab-indented, as the devkit's files).</summary>
    public string ToXml()
    {
        var root = new XElement("annotation");
        if (Folder is not null) root.Add(new XElement("folder", Folder));
        if (FileName is not null) root.Add(new XElement("filename", FileName));
        root.Add(new XElement("size", new XElement("width", Width), new XElement("height", Height), new XElement("depth", Depth)));
        root.Add(new XElement("segmented", Segmented ? 1 : 0));
        foreach (VocObject o in Objects)
        {
            var e = new XElement("object", new XElement("name", o.Name));
            if (o.Pose is not null) e.Add(new XElement("pose", o.Pose));
            e.Add(new XElement("truncated", o.Truncated ? 1 : 0));
            if (o.Occluded) e.Add(new XElement("occluded", 1));
            e.Add(new XElement("difficult", o.Difficult ? 1 : 0));
            e.Add(new XElement("bndbox",
                new XElement("xmin", Format(o.BndBox.XMin)), new XElement("ymin", Format(o.BndBox.YMin)),
                new XElement("xmax", Format(o.BndBox.XMax)), new XElement("ymax", Format(o.BndBox.YMax))));
            root.Add(e);
        }
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true, IndentChars = "\t" };
        using var sw = new StringWriter(CultureInfo.InvariantCulture);
        using (var xw = XmlWriter.Create(sw, settings)) root.WriteTo(xw);
        return sw + "\n";
    }

    /// <summary>Writes <see cref="ToXml"/> to <paramref name="path"/>, atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToXml());

    /// <inheritdoc/>
    public bool Equals(VocAnnotation? other) =>
        other is not null && FileName == other.FileName && Width == other.Width && Height == other.Height && Depth == other.Depth
        && Segmented == other.Segmented && Folder == other.Folder && Objects.SequenceEqual(other.Objects);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(FileName, Width, Height, Objects.Count);

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double Number(XElement parent, string name, string path, string? listFile)
    {
        string? text = ((string?)parent.Element(name))?.Trim();
        if (text is null) throw new VocDatasetException(path, $"<{parent.Name.LocalName}> lacks <{name}>", listFile);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new VocDatasetException(path, $"<{name}> is \"{text}\", a number expected", listFile);
    }

    // VOC writes 0/1; some tools write true/false. Absent means false.
    private static bool Flag(XElement parent, string name) =>
        ((string?)parent.Element(name))?.Trim() is string t && (t == "1" || t.Equals("true", StringComparison.OrdinalIgnoreCase));
}
