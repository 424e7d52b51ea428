"""Value types of the XMP 2005 predefined schemas and of the PDF/A schemas (ISO 19005-1/-2).

Source: Adobe XMP Specification, September 2005 (part 2 "Standard Schemas"), and ISO 19005-2
6.6.2.3 / 6.6.4. The table is written out from the specification text; types are given as in
the specification ("Bag ProperName", "Lang Alt", "Closed Choice of Integer", struct type names).
"""

from __future__ import annotations

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "xmpBJ": "http://ns.adobe.com/xap/1.0/bj/",
    "xmpTPg": "http://ns.adobe.com/xap/1.0/t/pg/",
    "xmpDM": "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "crs": "http://ns.adobe.com/camera-raw-settings/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "aux": "http://ns.adobe.com/exif/1.0/aux/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}

_PROPS = {
    "dc": """contributor=Bag ProperName coverage=Text creator=Seq ProperName date=Seq Date
        description=Lang Alt format=MIMEType identifier=Text language=Bag Locale publisher=Bag ProperName
        relation=Bag Text rights=Lang Alt source=Text subject=Bag Text title=Lang Alt type=Bag Text""",
    "xmp": """Advisory=Bag XPath BaseURL=URL CreateDate=Date CreatorTool=AgentName Identifier=Bag Text
        Label=Text MetadataDate=Date ModifyDate=Date Nickname=Text Rating=Real Thumbnails=Alt Thumbnail""",
    "xmpRights": """Certificate=URL Marked=Boolean Owner=Bag ProperName UsageTerms=Lang Alt WebStatement=URL""",
    "xmpMM": """DerivedFrom=ResourceRef DocumentID=URI History=Seq ResourceEvent InstanceID=URI
        ManagedFrom=ResourceRef Manager=AgentName ManageTo=URI ManageUI=URI ManagerVariant=Text
        RenditionClass=RenditionClass RenditionParams=Text VersionID=Text Versions=Seq Version
        LastURL=URL RenditionOf=ResourceRef SaveID=Integer""",
    "xmpBJ": """JobRef=Bag Job""",
    "xmpTPg": """MaxPageSize=Dimensions NPages=Integer Fonts=Bag Font Colorants=Seq Colorant PlateNames=Seq Text""",
    "xmpDM": """projectRef=ProjectLink videoFrameRate=Text videoFrameSize=Dimensions videoPixelAspectRatio=Rational
        videoPixelDepth=Text videoColorSpace=Text videoAlphaMode=Text videoAlphaPremultipleColor=Colorant
        videoAlphaUnityIsTransparent=Boolean videoCompressor=Text videoFieldOrder=Text pullDown=Text
        audioSampleRate=Integer audioSampleType=Text audioChannelType=Text audioCompressor=Text
        speakerPlacement=Text fileDataRate=Rational tapeName=Text altTapeName=Text startTimecode=Timecode
        altTimecode=Timecode duration=Time scene=Text shotName=Text shotDate=Date shotLocation=Text
        logComment=Text markers=Seq Marker contributedMedia=Bag Media absPeakAudioFilePath=URI
        relativePeakAudioFilePath=URI videoModDate=Date audioModDate=Date metadataModDate=Date artist=Text
        album=Text trackNumber=Integer genre=Text copyright=Text releaseDate=Date composer=Text engineer=Text
        tempo=Real instrument=Text introTime=Time outCue=Time relativeTimestamp=Time loop=Boolean
        numberOfBeats=Real key=Text stretchMode=Text timeScaleParams=timeScaleStretch
        resampleParams=resampleStretch beatSpliceParams=beatSpliceStretch timeSignature=Text scaleType=Text""",
    "pdf": """Keywords=Text PDFVersion=Text Producer=AgentName""",
    "photoshop": """AuthorsPosition=Text CaptionWriter=ProperName Category=Text City=Text Country=Text Credit=Text
        DateCreated=Date Headline=Text Instructions=Text Source=Text State=Text SupplementalCategories=Bag Text
        TransmissionReference=Text Urgency=Integer""",
    "crs": """AutoBrightness=Boolean AutoContrast=Boolean AutoExposure=Boolean AutoShadows=Boolean BlueHue=Integer
        BlueSaturation=Integer Brightness=Integer CameraProfile=Text ChromaticAberrationB=Integer
        ChromaticAberrationR=Integer ColorNoiseReduction=Integer Contrast=Integer CropTop=Real CropLeft=Real
        CropBottom=Real CropRight=Real CropAngle=Real CropWidth=Real CropHeight=Real CropUnits=Integer
        Exposure=Real GreenHue=Integer GreenSaturation=Integer HasCrop=Boolean HasSettings=Boolean
        LuminanceSmoothing=Integer RawFileName=Text RedHue=Integer RedSaturation=Integer Saturation=Integer
        Shadows=Integer ShadowTint=Integer Sharpness=Integer Temperature=Integer Tint=Integer ToneCurve=Seq Text
        ToneCurveName=Text Version=Text VignetteAmount=Integer VignetteMidpoint=Integer WhiteBalance=Text""",
    "tiff": """ImageWidth=Integer ImageLength=Integer BitsPerSample=Seq Integer Compression=Integer
        PhotometricInterpretation=Integer Orientation=Integer SamplesPerPixel=Integer PlanarConfiguration=Integer
        YCbCrSubSampling=Seq Integer YCbCrPositioning=Integer XResolution=Rational YResolution=Rational
        ResolutionUnit=Integer TransferFunction=Seq Integer WhitePoint=Seq Rational PrimaryChromaticities=Seq Rational
        YCbCrCoefficients=Seq Rational ReferenceBlackWhite=Seq Rational DateTime=Date ImageDescription=Lang Alt
        Make=ProperName Model=ProperName Software=AgentName Artist=ProperName Copyright=Lang Alt""",
    "exif": """ExifVersion=Text FlashpixVersion=Text ColorSpace=Integer ComponentsConfiguration=Seq Integer
        CompressedBitsPerPixel=Rational PixelXDimension=Integer PixelYDimension=Integer UserComment=Lang Alt
        RelatedSoundFile=Text DateTimeOriginal=Date DateTimeDigitized=Date ExposureTime=Rational FNumber=Rational
        ExposureProgram=Integer SpectralSensitivity=Text ISOSpeedRatings=Seq Integer OECF=OECF/SFR
        ShutterSpeedValue=Rational ApertureValue=Rational BrightnessValue=Rational ExposureBiasValue=Rational
        MaxApertureValue=Rational SubjectDistance=Rational MeteringMode=Integer LightSource=Integer Flash=Flash
        FocalLength=Rational SubjectArea=Seq Integer FlashEnergy=Rational SpatialFrequencyResponse=OECF/SFR
        FocalPlaneXResolution=Rational FocalPlaneYResolution=Rational FocalPlaneResolutionUnit=Integer
        SubjectLocation=Seq Integer ExposureIndex=Rational SensingMethod=Integer FileSource=Integer
        SceneType=Integer CFAPattern=CFAPattern CustomRendered=Integer ExposureMode=Integer WhiteBalance=Integer
        DigitalZoomRatio=Rational FocalLengthIn35mmFilm=Integer SceneCaptureType=Integer GainControl=Integer
        Contrast=Integer Saturation=Integer Sharpness=Integer DeviceSettingDescription=DeviceSettings
        SubjectDistanceRange=Integer ImageUniqueID=Text GPSVersionID=Text GPSLatitude=GPSCoordinate
        GPSLongitude=GPSCoordinate GPSAltitudeRef=Integer GPSAltitude=Rational GPSTimeStamp=Date GPSSatellites=Text
        GPSStatus=Text GPSMeasureMode=Text GPSDOP=Rational GPSSpeedRef=Text GPSSpeed=Rational GPSTrackRef=Text
        GPSTrack=Rational GPSImgDirectionRef=Text GPSImgDirection=Rational GPSMapDatum=Text
        GPSDestLatitude=GPSCoordinate GPSDestLongitude=GPSCoordinate GPSDestBearingRef=Text GPSDestBearing=Rational
        GPSDestDistanceRef=Text GPSDestDistance=Rational GPSProcessingMethod=Text GPSAreaInformation=Text
        GPSDifferential=Integer""",
    "aux": """Lens=Text SerialNumber=Text""",
    "pdfaid": """part=Integer conformance=Text amd=Text corr=Text""",
}

# struct types: name -> (namespace, {field: type})
_STRUCTS = {
    "Dimensions": ("http://ns.adobe.com/xap/1.0/sType/Dimensions#", "w=Real h=Real unit=Text"),
    "Thumbnail": ("http://ns.adobe.com/xap/1.0/g/img/", "height=Integer width=Integer format=Text image=Text"),
    "ResourceEvent": ("http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
                      "action=Text instanceID=URI parameters=Text softwareAgent=AgentName when=Date"),
    "ResourceRef": ("http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
                    "instanceID=URI documentID=URI versionID=Text renditionClass=RenditionClass "
                    "renditionParams=Text manager=AgentName managerVariant=Text manageTo=URI manageUI=URI"),
    "Version": ("http://ns.adobe.com/xap/1.0/sType/Version#",
                "comments=Text event=ResourceEvent modifyDate=Date modifier=ProperName version=Text"),
    "Job": ("http://ns.adobe.com/xap/1.0/sType/Job#", "name=Text id=Text url=URL"),
    "Font": ("http://ns.adobe.com/xap/1.0/sType/Font#",
             "fontName=Text fontFamily=Text fontFace=Text fontType=Text versionString=Text composite=Boolean "
             "fontFileName=Text childFontFiles=Seq Text"),
    "Colorant": ("http://ns.adobe.com/xap/1.0/g/",
                 "swatchName=Text mode=Text type=Text cyan=Real magenta=Real yellow=Real black=Real "
                 "red=Integer green=Integer blue=Integer L=Real A=Integer B=Integer"),
    "beatSpliceStretch": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/",
                          "useFileBeatsMarker=Boolean riseInDecibel=Real riseInTimeDuration=Time"),
    "Marker": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/",
               "startTime=Time duration=Time comment=Text name=Text location=URI target=Text type=Text"),
    "Media": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/",
              "path=URI track=Text startTime=Time duration=Time managed=Boolean webStatement=URI"),
    "ProjectLink": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "type=Text path=URI"),
    "resampleStretch": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "quality=Text"),
    "Time": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "value=Integer scale=Rational"),
    "Timecode": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "timeValue=Text timeFormat=Text"),
    "timeScaleStretch": ("http://ns.adobe.com/xmp/1.0/DynamicMedia/",
                         "quality=Text frameSize=Real frameOverlappingPercentage=Real"),
    "CFAPattern": ("http://ns.adobe.com/exif/1.0/", "Columns=Integer Rows=Integer Values=Seq Integer"),
    "DeviceSettings": ("http://ns.adobe.com/exif/1.0/", "Columns=Integer Rows=Integer Settings=Seq Text"),
    "Flash": ("http://ns.adobe.com/exif/1.0/",
              "Fired=Boolean Return=Integer Mode=Integer Function=Boolean RedEyeMode=Boolean"),
    "OECF/SFR": ("http://ns.adobe.com/exif/1.0/", "Columns=Integer Rows=Integer Names=Seq Text Values=Seq Rational"),
}


def _parse(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    parts = spec.split()
    cur = None
    for tok in parts:
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
            cur = k
        elif cur is not None:
            out[cur] += " " + tok
    return out


# namespace URI -> {property: type}
PREDEFINED: dict[str, dict[str, str]] = {NS[p]: _parse(s) for p, s in _PROPS.items()}
# struct name -> (namespace URI, {field: type})
STRUCTS: dict[str, tuple[str, dict[str, str]]] = {k: (ns, _parse(s)) for k, (ns, s) in _STRUCTS.items()}

SIMPLE_TYPES = {"Text", "URI", "URL", "Date", "Integer", "Real", "Boolean", "MIMEType", "Locale", "AgentName",
                "ProperName", "RenditionClass", "XPath", "GUID", "Rational", "GPSCoordinate", "Lang Alt"}

EXT_NS = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA_NS = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY_NS = "http://www.aiim.org/pdfa/ns/property#"
TYPE_NS = "http://www.aiim.org/pdfa/ns/type#"
FIELD_NS = "http://www.aiim.org/pdfa/ns/field#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_NS = "http://www.w3.org/XML/1998/namespace"
