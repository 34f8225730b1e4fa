"""The sample district's learning continuum as plain data.

Seven academic content areas (each with competencies and "I can" learning targets) and a
Habits of Learning area whose children are habits. Human codes follow ``AREA``,
``AREA.Cn`` and ``AREA.Cn.LTm`` (habits: ``HOL.Hn``). The CASE package is built from this
table by :mod:`cbe_bridge.samplegen.case`; nothing here is random.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Area", "Competency", "AREAS", "HABITS_AREA", "HABITS"]


@dataclass(frozen=True)
class Competency:
    code: str  # e.g. "MATH.C2"
    title: str
    statement: str
    targets: tuple[str, ...]  # learning-target statements, LT1.. in order

    def target_codes(self) -> tuple[str, ...]:
        return tuple(f"{self.code}.LT{i}" for i in range(1, len(self.targets) + 1))


@dataclass(frozen=True)
class Area:
    code: str  # e.g. "MATH"
    title: str
    statement: str
    competencies: tuple[Competency, ...]


def _area(code: str, title: str, statement: str,
          comps: list[tuple[str, str, list[str]]]) -> Area:
    return Area(code, title, statement, tuple(
        Competency(f"{code}.C{i}", t, s, tuple(lts)) for i, (t, s, lts) in enumerate(comps, 1)))


AREAS: tuple[Area, ...] = (
    _area("ELA", "English Language Arts",
          "Read, write, speak and listen with understanding and purpose across genres.", [
              ("Reading Literature",
               "Analyze how authors use literary elements and craft to develop theme and meaning.", [
                   "I can cite strong textual evidence to support an analysis of what a literary "
                   "text says explicitly and implicitly.",
                   "I can determine a theme of a text and analyze its development over the course "
                   "of the text.",
                   "I can analyze how an author's choices about structure, point of view and "
                   "language create meaning and effect."]),
              ("Reading Informational Text",
               "Analyze and evaluate informational and argumentative texts.", [
                   "I can determine the central ideas of an informational text and analyze how "
                   "they develop.",
                   "I can evaluate the argument and specific claims in a text, including the "
                   "validity of the reasoning and the sufficiency of the evidence.",
                   "I can integrate and evaluate multiple sources of information presented in "
                   "different media or formats."]),
              ("Writing",
               "Write clearly and effectively for a range of tasks, purposes and audiences.", [
                   "I can write arguments to support claims using valid reasoning and relevant, "
                   "sufficient evidence.",
                   "I can write informative texts that convey complex ideas clearly and accurately.",
                   "I can write narratives that develop experiences using effective technique and "
                   "well-chosen details.",
                   "I can conduct research to answer a question, drawing on several sources and "
                   "citing them correctly."]),
              ("Speaking and Listening",
               "Communicate ideas effectively in discussion and presentation.", [
                   "I can prepare for and participate effectively in collaborative discussions, "
                   "building on others' ideas.",
                   "I can present information and findings clearly, concisely and logically for a "
                   "given audience."]),
              ("Language",
               "Demonstrate command of the conventions of English and use language effectively.", [
                   "I can use the conventions of standard English grammar, usage, capitalization, "
                   "punctuation and spelling.",
                   "I can determine the meaning of unknown words and phrases and use "
                   "domain-specific vocabulary accurately."]),
          ]),
    _area("MATH", "Mathematics",
          "Reason quantitatively, model the world mathematically and communicate mathematical "
          "thinking.", [
              ("Number, Quantity and Algebraic Reasoning",
               "Reason with numbers, expressions, equations and inequalities.", [
                   "I can interpret the structure of expressions and rewrite them in equivalent forms.",
                   "I can create and solve equations and inequalities in one variable and use them "
                   "to solve problems.",
                   "I can solve systems of equations algebraically and graphically."]),
              ("Functions and Modeling",
               "Understand, interpret and build functions to model relationships.", [
                   "I can understand the concept of a function and use function notation.",
                   "I can interpret key features of graphs and tables of functions in terms of the "
                   "quantities they represent.",
                   "I can build linear, quadratic and exponential models and use them to solve "
                   "problems.",
                   "I can analyze and use trigonometric, polynomial and rational functions."]),
              ("Geometry and Measurement", "Reason about shape, space and measurement.", [
                  "I can use transformations in the plane to reason about congruence and similarity.",
                  "I can prove geometric theorems about lines, angles, triangles and circles.",
                  "I can apply geometric measurement, including area, volume and right triangle "
                  "trigonometry, to solve problems."]),
              ("Statistics and Probability",
               "Collect, analyze and interpret data and reason under uncertainty.", [
                   "I can summarize, represent and interpret data on one or two variables.",
                   "I can make inferences and justify conclusions from sample surveys, experiments "
                   "and observational studies.",
                   "I can use the rules of probability to compute probabilities of compound events."]),
              ("Mathematical Practices",
               "Make sense of problems, reason abstractly and communicate mathematical thinking.", [
                   "I can make sense of problems and persevere in solving them.",
                   "I can construct viable arguments and critique the reasoning of others."]),
          ]),
    _area("SCI", "Science",
          "Use scientific practices and core ideas to explain phenomena and design solutions.", [
              ("Scientific Inquiry and Engineering Practices",
               "Use the practices of science and engineering to investigate questions and design "
               "solutions.", [
                   "I can ask testable questions and plan and carry out investigations.",
                   "I can analyze and interpret data using mathematical and computational thinking.",
                   "I can construct explanations and argue from evidence."]),
              ("Physical Science",
               "Explain the structure of matter, chemical reactions, forces, motion and energy.", [
                   "I can use models of atomic structure to explain properties of matter.",
                   "I can explain chemical reactions using conservation of matter and energy.",
                   "I can apply Newton's laws and conservation principles to analyze forces, motion "
                   "and energy."]),
              ("Life Science", "Explain how living systems function, grow, reproduce and evolve.", [
                  "I can explain how the structure of cells and body systems supports the functions "
                  "of life.",
                  "I can explain how traits are inherited and how genetic variation arises.",
                  "I can use evidence to explain natural selection and the interdependence of "
                  "ecosystems."]),
              ("Earth and Space Science",
               "Explain Earth's systems, its place in the universe and human impact on it.", [
                   "I can explain the processes that shape Earth's surface and interior over time.",
                   "I can explain Earth's place in the solar system and the universe.",
                   "I can evaluate how human activity affects Earth's systems and climate."]),
          ]),
    _area("SOC", "Social Studies",
          "Think historically, geographically, economically and civically about the world.", [
              ("Historical Thinking",
               "Analyze the past using evidence, chronology and multiple perspectives.", [
                   "I can analyze primary and secondary sources, considering their origin, purpose "
                   "and point of view.",
                   "I can explain causes and consequences of historical events and developments.",
                   "I can construct a historical argument supported by evidence."]),
              ("Civics and Government",
               "Understand the principles, institutions and practices of government and citizenship.", [
                   "I can explain the foundational principles of the U.S. Constitution.",
                   "I can analyze how the branches and levels of government make and carry out policy.",
                   "I can evaluate ways citizens participate in civic life."]),
              ("Economics", "Apply economic reasoning to individual, national and global decisions.", [
                  "I can use supply, demand and incentives to explain how markets work.",
                  "I can analyze how government policy and institutions affect the economy."]),
              ("Geography",
               "Use geographic tools and reasoning to analyze people, places and environments.", [
                   "I can use maps and geospatial tools to analyze spatial patterns.",
                   "I can explain how human and physical systems interact and shape places and "
                   "regions."]),
          ]),
    _area("WL", "World Languages",
          "Communicate in a language other than English across the three modes of communication.", [
              ("Interpretive Communication", "Understand and interpret authentic texts.", [
                  "I can understand the main idea and key details of authentic spoken texts.",
                  "I can understand the main idea and key details of authentic written texts."]),
              ("Interpersonal Communication", "Interact and negotiate meaning with others.", [
                  "I can exchange information and ideas in spontaneous spoken conversation.",
                  "I can exchange information in writing, such as messages and letters."]),
              ("Presentational Communication", "Present information and ideas to an audience.", [
                  "I can present information orally to an audience.",
                  "I can write to present information and ideas to an audience."]),
          ]),
    _area("ART", "Visual and Performing Arts",
          "Create, present and respond to works of art, music and theatre.", [
              ("Creating", "Generate, develop and complete artistic work.", [
                  "I can generate and develop artistic ideas and work.",
                  "I can refine and complete artistic work."]),
              ("Presenting and Performing", "Develop and share artistic work with an audience.", [
                  "I can develop and refine techniques for performance or presentation.",
                  "I can convey meaning through the presentation or performance of artistic work."]),
              ("Responding", "Perceive, interpret and evaluate artistic work.", [
                  "I can perceive and analyze artistic work.",
                  "I can interpret intent and meaning and apply criteria to evaluate artistic work."]),
          ]),
    _area("WELL", "Health and Wellness",
          "Make informed decisions that support lifelong health and physical activity.", [
              ("Personal Health", "Analyze influences on health and plan for personal wellness.", [
                  "I can analyze the influence of family, peers, culture and media on health "
                  "behaviors.",
                  "I can set and work toward personal health goals."]),
              ("Physical Activity and Fitness", "Lead a physically active, healthy life.", [
                  "I can demonstrate competency in a variety of motor skills and movement patterns.",
                  "I can design and carry out a personal fitness plan.",
                  "I can exhibit responsible personal and social behavior in physical activity "
                  "settings."]),
              ("Healthy Relationships and Safety", "Communicate and decide in ways that keep people "
               "safe and healthy.", [
                   "I can use communication skills to enhance health and avoid risks.",
                   "I can make decisions that keep myself and others safe."]),
          ]),
)

HABITS_AREA = ("HOL", "Habits of Learning",
               "Habits of work and lifelong learning, reported separately from academic "
               "proficiency and never part of academic grades.")

# (code, title, statement); CFItemType "Habit".
HABITS: tuple[tuple[str, str, str], ...] = (
    ("HOL.H1", "Responsibility",
     "I meet deadlines, come prepared and take ownership of my learning."),
    ("HOL.H2", "Collaboration",
     "I work productively with others, share ideas and help the group reach its goals."),
    ("HOL.H3", "Perseverance",
     "I keep working through challenges, use feedback and revise my work."),
    ("HOL.H4", "Self-Direction",
     "I set goals, monitor my progress and seek help when I need it."),
    ("HOL.H5", "Citizenship",
     "I treat others with respect and contribute positively to the school community."),
)
